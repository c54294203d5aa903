// Package views holds the html/template files. They are embedded into the
// binary for production; in development the server reads them from disk so
// edits show on reload.
package views

import "embed"

// FS holds every template, including htmx fragments named _name.html.
//
//go:embed all:layouts all:partials all:home all:auth all:errors all:pages all:committee all:organisations all:admin all:people all:profile all:meetings all:topics all:agenda all:minutes all:resolutions all:profiles
var FS embed.FS
