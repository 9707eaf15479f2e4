package generator

import "testing"

func TestHasMarker(t *testing.T) {
	for _, tc := range []struct {
		name string
		data string
		want bool
	}{
		{"go comment", "// " + Marker + "\n\npackage x\n", true},
		{"hash comment after a header", "#!/bin/sh\n# " + Marker + "\n", true},
		{"html comment", "<!-- " + Marker + " -->\n# Title\n", true},
		{"quoted in a sentence", "# Files that start with \"" + Marker + "\" are managed.\n", false},
		{"after line five", "1\n2\n3\n4\n5\n# " + Marker + "\n", false},
		{"absent", "services:\n  mine: {}\n", false},
	} {
		if got := HasMarker([]byte(tc.data)); got != tc.want {
			t.Errorf("%s: HasMarker = %v, want %v", tc.name, got, tc.want)
		}
	}
}
