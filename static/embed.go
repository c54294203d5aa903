// Package static holds the portal's own CSS and JavaScript and, under
// vendor/, the npm assets (KERN UX, htmx) that `make assets` copies there.
// All of it is embedded so the binary needs no files beside it.
package static

import "embed"

// FS is served under /static.
//
//go:embed all:css all:js all:vendor
var FS embed.FS
