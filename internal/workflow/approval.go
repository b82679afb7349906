package workflow

import "github.com/moudesk/moudesk"

// Approval is a governing body's recorded "approve" on one exact content
// hash (SHA-256 of the assembled revision). It never carries over to other
// content.
type Approval struct {
	Body        string `json:"body"`
	ContentHash string `json:"content_hash"`
}

// RequiredApprovals lists, in definition order, the bodies that must
// approve in an approval stage; it is empty for any other stage.
func (d *Definition) RequiredApprovals(stage string) []string {
	s := d.stage(stage)
	if s == nil || s.Kind != KindApproval {
		return nil
	}
	var bodies []string
	for _, a := range s.Acts {
		if _, ok := a.Outcomes[OutcomeApprove]; ok {
			bodies = append(bodies, a.Body)
		}
	}
	return bodies
}

// ApprovalsComplete reports whether every body required in the approval
// stage has approved contentHash; approvals of other content do not count.
// When done, next is the stage to move to.
func (d *Definition) ApprovalsComplete(stage, contentHash string, approvals []Approval) (done bool, next string) {
	s := d.stage(stage)
	if s == nil || s.Kind != KindApproval || contentHash == "" {
		return false, ""
	}
	for _, body := range d.RequiredApprovals(stage) {
		if !approved(body, contentHash, approvals) {
			return false, ""
		}
	}
	return true, s.Next
}

func approved(body, contentHash string, approvals []Approval) bool {
	for _, a := range approvals {
		if a.Body == body && a.ContentHash == contentHash {
			return true
		}
	}
	return false
}

// CheckApproved reports whether contentHash carries every approval the
// definition requires, in every approval stage; signing anything else is
// refused with stale_approval, naming the first body whose approval is
// missing or was given to other content.
func (d *Definition) CheckApproved(contentHash string, approvals []Approval) error {
	if contentHash == "" {
		return ruleErr(CodeStaleApproval, "no content hash given to check approvals against")
	}
	for _, s := range d.Stages {
		for _, body := range d.RequiredApprovals(s.Name) {
			if approved(body, contentHash, approvals) {
				continue
			}
			for _, a := range approvals {
				if a.Body == body {
					return ruleErr(CodeStaleApproval, "%s approved other content (%s), not %s", d.bodyTitle(body), moudesk.ShortHash(a.ContentHash, moudesk.ShortHashLen), moudesk.ShortHash(contentHash, moudesk.ShortHashLen))
				}
			}
			return ruleErr(CodeStaleApproval, "%s has not approved %s", d.bodyTitle(body), moudesk.ShortHash(contentHash, moudesk.ShortHashLen))
		}
	}
	return nil
}

func (d *Definition) bodyTitle(name string) string {
	if b, ok := d.Bodies[name]; ok {
		return bodyLabel(b)
	}
	return name
}
