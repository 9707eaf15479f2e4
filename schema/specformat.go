package schema

import (
	"fmt"
	"path/filepath"
	"strings"
)

// checkSpecFormat rejects a spec file named as YAML. msgen parses a spec as
// CUE, which also reads JSON, but YAML's unquoted strings parse as CUE
// references, so a YAML spec would fail with errors such as reference
// "shop" not found, which hide the real problem.
func checkSpecFormat(path string) error {
	ext := filepath.Ext(path)
	if !strings.EqualFold(ext, ".yaml") && !strings.EqualFold(ext, ".yml") {
		return nil
	}

	display := filepath.ToSlash(path)
	converted := strings.TrimSuffix(display, ext) + ".cue"
	return Errors{{
		File:    display,
		Message: fmt.Sprintf("msgen reads specs in CUE or JSON, not YAML: convert the spec with \"cue import %s\", which writes %s, or write it as JSON, then name the new file with --spec", display, converted),
	}}
}
