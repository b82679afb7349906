// Package gfm holds the three GitHub Flavored Markdown extensions moudesk's
// renderer uses (tables, strikethrough and autolinks), copied from
// github.com/yuin/goldmark/extension v1.8.7 (MIT licence, see LICENSE)
// with one change: their patterns compile on first use instead of at
// package init.
//
// Why a copy: Go runs the init of every package linked into a binary
// before main, so every moudesk command, `moudesk help` included, paid for
// goldmark/extension's package-level regular expressions (the autolink
// ones, with {1,256} repetitions, are large programs) and for the
// extensions moudesk does not use. Importing this package instead keeps
// that work out of start-up (cmd/moudesk BenchmarkStartup). The nodes are
// goldmark/extension/ast's, so code walking the tree is unchanged.
package gfm
