package main

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/go-git/gcfg"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// maxIncludeDepth is the depth of nested include directives past which
// git 2.39 stops with "exceeded maximum include depth (10)".
const maxIncludeDepth = 10

// gitConfig is the part of the user's global Git config that init reads.
// It stores the last value of each setting by its lowercase name, such as
// "user.name", with include and includeIf directives followed.
type gitConfig struct {
	values map[string]string
	// files are the global config files that init looked for, in the
	// form that messages print, such as ~/.gitconfig.
	files []string

	home string
	// gitDirs are the spellings of the new repository's .git directory
	// that an includeIf "gitdir:" condition is matched against: the
	// absolute path and the path with symbolic links resolved.
	gitDirs []string
}

// readGitConfig reads the user's global Git config as git does: the file
// that GIT_CONFIG_GLOBAL names, or else $XDG_CONFIG_HOME/git/config (by
// default ~/.config/git/config) and then ~/.gitconfig, whose settings win.
// It follows include directives and includeIf directives whose condition
// is "gitdir:" or "gitdir/i:", matched against repoDir/.git, the
// repository that init creates. The system config (/etc/gitconfig) is not
// read.
func readGitConfig(repoDir string) (*gitConfig, error) {
	home, _ := os.UserHomeDir()
	c := &gitConfig{values: map[string]string{}, home: home}
	if abs, err := filepath.Abs(repoDir); err == nil {
		c.gitDirs = append(c.gitDirs, filepath.Join(abs, ".git"))
		if resolved, err := filepath.EvalSymlinks(abs); err == nil && resolved != abs {
			c.gitDirs = append(c.gitDirs, filepath.Join(resolved, ".git"))
		}
	}

	var files []string
	if global := os.Getenv("GIT_CONFIG_GLOBAL"); global != "" {
		files = []string{global}
	} else {
		xdg := os.Getenv("XDG_CONFIG_HOME")
		if xdg == "" && home != "" {
			xdg = filepath.Join(home, ".config")
		}
		if xdg != "" {
			files = append(files, filepath.Join(xdg, "git", "config"))
		}
		if home != "" {
			files = append(files, filepath.Join(home, ".gitconfig"))
		}
	}
	for _, file := range files {
		c.files = append(c.files, c.display(file))
		if err := c.readFile(file, 0); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// readFile reads one config file at include depth depth. A missing file is
// no error, as in git.
func (c *gitConfig) readFile(file string, depth int) error {
	data, err := os.ReadFile(file)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return gitConfigError{fmt.Errorf("read Git config: %w", err)}
	}

	// The callback receives the settings in file order, so an include
	// takes effect at its place in the file. Later settings override the
	// included ones.
	err = gcfg.ReadWithCallback(bytes.NewReader(data), func(section, subsection, key, value string, _ bool) error {
		if key == "" {
			return nil
		}
		section, key = strings.ToLower(section), strings.ToLower(key)
		switch {
		case section == "include" && subsection == "" && key == "path":
			return c.include(value, file, depth)
		case section == "includeif" && key == "path":
			if c.conditionHolds(subsection, file) {
				return c.include(value, file, depth)
			}
			return nil
		case subsection == "":
			c.values[section+"."+key] = value
		}
		return nil
	})
	var located gitConfigError
	if errors.As(err, &located) {
		return err
	}
	if err != nil {
		return gitConfigError{fmt.Errorf("read Git config %s: %w", c.display(file), err)}
	}
	return nil
}

// gitConfigError is an error that names the config file at fault already,
// so that the files that include it do not wrap it again.
type gitConfigError struct{ err error }

func (e gitConfigError) Error() string { return e.err.Error() }
func (e gitConfigError) Unwrap() error { return e.err }

// include reads the file that an include directive in from names.
func (c *gitConfig) include(path, from string, depth int) error {
	if depth+1 > maxIncludeDepth {
		return gitConfigError{fmt.Errorf("read Git config %s: include directives nest deeper than %d files: look for a file that includes itself", c.display(from), maxIncludeDepth)}
	}
	return c.readFile(c.expandPath(path, from), depth+1)
}

// expandPath resolves a path in a config file as git does: ~/ is the home
// directory, and a relative path is relative to the directory of from, the
// file that contains it.
func (c *gitConfig) expandPath(path, from string) string {
	if rest, ok := strings.CutPrefix(path, "~/"); ok && c.home != "" {
		return filepath.Join(c.home, filepath.FromSlash(rest))
	}
	if !filepath.IsAbs(path) {
		return filepath.Join(filepath.Dir(from), filepath.FromSlash(path))
	}
	return path
}

// conditionHolds reports whether the condition of an includeIf section
// holds for the new repository. Only "gitdir:" and "gitdir/i:" are
// evaluated. The others, such as "onbranch:" and "hasconfig:", are treated
// as false, as git treats a condition that it does not recognize.
func (c *gitConfig) conditionHolds(condition, from string) bool {
	pattern, foldCase := "", false
	switch {
	case strings.HasPrefix(condition, "gitdir:"):
		pattern = strings.TrimPrefix(condition, "gitdir:")
	case strings.HasPrefix(condition, "gitdir/i:"):
		pattern, foldCase = strings.TrimPrefix(condition, "gitdir/i:"), true
	default:
		return false
	}

	// Apply git's rules. ~/ is the home directory and ./ the directory of
	// the config file. A pattern that is not absolute may match at any
	// depth, and one that ends in a slash matches everything below it.
	switch {
	case strings.HasPrefix(pattern, "~/") && c.home != "":
		pattern = filepath.ToSlash(c.home) + pattern[1:]
	case strings.HasPrefix(pattern, "./"):
		pattern = filepath.ToSlash(filepath.Dir(from)) + pattern[1:]
	case !strings.HasPrefix(pattern, "/"):
		pattern = "**/" + pattern
	}
	if strings.HasSuffix(pattern, "/") {
		pattern += "**"
	}
	re, err := globRegexp(pattern, foldCase)
	if err != nil {
		return false
	}
	for _, dir := range c.gitDirs {
		if re.MatchString(filepath.ToSlash(dir)) {
			return true
		}
	}
	return false
}

// globRegexp compiles a wildcard pattern of git's wildmatch with the
// pathname flag: * and ? match within one path segment, ** matches across
// segments, and [...] is a set of characters.
func globRegexp(pattern string, foldCase bool) (*regexp.Regexp, error) {
	var b strings.Builder
	b.WriteString("^")
	if foldCase {
		b.WriteString("(?i)")
	}
	for i := 0; i < len(pattern); i++ {
		switch ch := pattern[i]; {
		case strings.HasPrefix(pattern[i:], "**/"):
			b.WriteString("(?:.*/)?")
			i += 2
		case strings.HasPrefix(pattern[i:], "**"):
			b.WriteString(".*")
			i++
		case ch == '*':
			b.WriteString("[^/]*")
		case ch == '?':
			b.WriteString("[^/]")
		case ch == '[':
			end := strings.IndexByte(pattern[i+1:], ']')
			if end < 0 {
				b.WriteString(`\[`)
				continue
			}
			set := pattern[i+1 : i+1+end]
			if rest, ok := strings.CutPrefix(set, "!"); ok {
				set = "^" + rest
			}
			b.WriteString("[" + strings.ReplaceAll(set, `\`, `\\`) + "]")
			i += end + 1
		default:
			b.WriteString(regexp.QuoteMeta(string(ch)))
		}
	}
	b.WriteString("$")
	return regexp.Compile(b.String())
}

// display returns file as messages print it, with ~ for the home directory.
func (c *gitConfig) display(file string) string {
	if c.home != "" {
		if rel, err := filepath.Rel(c.home, file); err == nil && filepath.IsLocal(rel) {
			return "~/" + filepath.ToSlash(rel)
		}
	}
	return filepath.ToSlash(file)
}

// signature returns the author or the committer of a commit, by role, as
// git picks it. The name comes from GIT_AUTHOR_NAME or GIT_COMMITTER_NAME,
// then author.name or committer.name, then user.name. The email comes from
// the matching variables and keys, then the EMAIL variable.
// When the name or the email is missing, it returns msgenIdentity, and
// source names what was missing and where init looked.

func (c *gitConfig) signature(role string) (sig object.Signature, source string) {
	upper := strings.ToUpper(role)
	fromEnvironment, fromConfig := false, false
	pick := func(variable, roleKey, userKey, fallbackVariable string) string {
		if v := os.Getenv(variable); v != "" {
			fromEnvironment = true
			return v
		}
		for _, key := range []string{roleKey, userKey} {
			if v := c.values[key]; v != "" {
				fromConfig = true
				return v
			}
		}
		if fallbackVariable != "" {
			if v := os.Getenv(fallbackVariable); v != "" {
				fromEnvironment = true
				return v
			}
		}
		return ""
	}
	name := pick("GIT_"+upper+"_NAME", role+".name", "user.name", "")
	email := pick("GIT_"+upper+"_EMAIL", role+".email", "user.email", "EMAIL")

	if name != "" && email != "" {
		switch {
		case fromEnvironment && fromConfig:
			source = "from the environment and your Git config"
		case fromEnvironment:
			source = "from the environment"
		default:
			source = "from your Git config"
		}
		return object.Signature{Name: name, Email: email}, source
	}

	places := append(c.files[:len(c.files):len(c.files)], "the files they include", "the environment")
	where := joinOr(places)
	switch {
	case name == "" && email == "":
		source = "found no user.name and user.email in " + where
	case name == "":
		source = "found user.email but no user.name in " + where
	default:
		source = "found user.name but no user.email in " + where
	}
	return msgenIdentity, "msgen's own identity, because init " + source
}

// defaultBranch returns init.defaultBranch, or "" when it is not set.
func (c *gitConfig) defaultBranch() string {
	return c.values["init.defaultbranch"]
}
