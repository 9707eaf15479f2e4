// Package templates embeds the text templates that msgen renders into a
// generated repository. It contains templates and nothing else.
package templates

import "embed"

// FS contains every template, named by its path under this directory, for
// example "service/main.go.tmpl".
//
//go:embed all:repo all:service all:platform all:deploy
var FS embed.FS
