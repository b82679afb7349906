package moudesk

// Lengths of a content hash's printed prefix. Both are prefixes of the
// same hex SHA-256: HeaderHashLen beside a revision number in page headers
// and packets, where the number already names the revision; ShortHashLen
// alone (footers of signed PDFs, messages, the audit), where the prefix is
// what a reader searches for, so it needs more bits.
const (
	HeaderHashLen = 8
	ShortHashLen  = 12
)

// ShortHash is the first n characters of a hex hash, or all of it when
// shorter: how every document and message prints a content hash.
func ShortHash(hash string, n int) string {
	if len(hash) > n {
		return hash[:n]
	}
	return hash
}
