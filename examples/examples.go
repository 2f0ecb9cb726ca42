// Package examples embeds the seed policies (broken and fixed) that
// `awsmfa policy lint` lints when given no files.
package examples

import "embed"

// FS holds the example policy files (*.json).
//
//go:embed *.json
var FS embed.FS
