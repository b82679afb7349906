package desk

import "time"

// SigningDocument is the PDF of one revision after one signing step.
type SigningDocument struct {
	MOUID       int64     `json:"mou_id"`
	Revision    int       `json:"revision"`
	Seq         int       `json:"seq"`
	Kind        string    `json:"kind"`
	ContentHash string    `json:"content_hash"`
	SHA256      string    `json:"sha256"`
	Size        int       `json:"size"`
	CreatedAt   time.Time `json:"created_at"`
	PDF         []byte    `json:"-"`
}

// ApprovalRecord is an approval with the meeting it was given at: what the
// certification signature's reason and the certificate cite.
type ApprovalRecord struct {
	MeetingID   int64     `json:"meeting_id"`
	Body        string    `json:"body"`
	Date        string    `json:"date"`
	Resolution  string    `json:"resolution"`
	ContentHash string    `json:"content_hash"`
	Stale       bool      `json:"stale"`
	CreatedAt   time.Time `json:"created_at"`
}

// Signature is one signatory's signature of one revision, with the record
// of the ceremony.
type Signature struct {
	MOUID       int64     `json:"mou_id"`
	Revision    int       `json:"revision"`
	Line        int       `json:"line"`
	ContentHash string    `json:"content_hash"`
	UserID      int64     `json:"user_id"`
	Name        string    `json:"name"`
	Title       string    `json:"title"`
	PartyName   string    `json:"party_name"`
	TypedName   string    `json:"typed_name"`
	ConsentText string    `json:"consent_text"`
	ClientAddr  string    `json:"client_addr"`
	UserAgent   string    `json:"user_agent"`
	DocumentSeq int       `json:"document_seq"`
	SignedAt    time.Time `json:"signed_at"`
}

// NewSignature is one signatory's signature, made by the caller on the
// document at PrevSeq, with the record of the ceremony.
type NewSignature struct {
	MOUID       int64
	Revision    int
	ContentHash string
	Line        int
	UserID      int64
	Name        string
	Title       string
	PartyName   string
	TypedName   string
	ConsentText string
	ClientAddr  string
	UserAgent   string
	PrevSeq     int    // the document the signature was appended to
	Signed      []byte // that document plus this signature
	// Sealed is Signed plus moudesk's seal, required when this is the last
	// signature and refused otherwise.
	Sealed []byte
}

// SignatureResult is what recording a signature did.
type SignatureResult struct {
	Signature Signature `json:"signature"`
	Executed  bool      `json:"executed"`
	Stage     string    `json:"stage"`
}

// Signatory is one line of an MOU's signature block and the user assigned
// to sign it.
type Signatory struct {
	Line      int    `json:"line"`       // 1-based position in the current revision's signature block
	Kind      string `json:"kind"`       // signatory, attest or approved_as_to_form
	Party     string `json:"party"`      // the template's party role, e.g. "city"
	PartySlug string `json:"party_slug"` // the MOU's party in that role
	PartyName string `json:"party_name"`
	// LineName is the name the block prints for the line, as the drafter
	// wrote it; empty when they did not, and the signatory's own is
	// printed.
	LineName string     `json:"line_name"`
	Title    string     `json:"title"`
	Order    int        `json:"order"` // lines sign in ascending order; equal orders in any order
	UserID   int64      `json:"user_id"`
	Name     string     `json:"name"`
	Email    string     `json:"email"`
	SignedAt *time.Time `json:"signed_at,omitempty"` // of the MOU's current revision
}

// PrintedName is the name printed under the line's signature: the block's,
// else the assigned signatory's.
func (s Signatory) PrintedName() string {
	if s.LineName != "" {
		return s.LineName
	}
	return s.Name
}

// Assignment gives line (1-based, of the current revision's signature
// block) to the user with Email.
type Assignment struct {
	Line  int    `json:"line"`
	Email string `json:"email"`
}
