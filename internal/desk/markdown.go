package desk

import "strings"

// mdEscape makes text literal in Markdown by escaping every ASCII
// punctuation character, which CommonMark allows for all of them: how
// certificates, packets and summaries print what users typed.
func mdEscape(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r < 128 && strings.ContainsRune("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~", r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}
