package clause

import (
	"regexp"
	"sync"
)

// lazyRegexp compiles expr on first use instead of at package init. Every
// moudesk command initializes this package, including the file tools that
// never validate a clause, and bounded repeats such as {0,63} compile into
// deeply nested programs: done eagerly, the six expressions here took about
// a quarter of a millisecond of every start-up and grew the main
// goroutine's stack to 128 KB.
func lazyRegexp(expr string) func() *regexp.Regexp {
	return sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(expr) })
}
