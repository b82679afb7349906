package workflow

import "slices"

// CheckSigner reports whether signer may sign now, in a signature stage,
// given the MOU's signatories in signing order and those who already
// signed: only a signatory who has not signed and whose turn it is.
func (d *Definition) CheckSigner(stage string, signatories, signed []string, signer string) error {
	s, err := d.live(stage)
	if err != nil {
		return err
	}
	if s.Kind != KindSignature {
		return ruleErr(CodeWrongStage, "signing happens in a signature stage, not in %q", stage)
	}
	if !slices.Contains(signatories, signer) {
		return ruleErr(CodeNotSignatory, "%q is not a signatory of this MOU", signer)
	}
	if slices.Contains(signed, signer) {
		return ruleErr(CodeSignatureOrder, "%q has already signed", signer)
	}
	for _, who := range signatories {
		if !slices.Contains(signed, who) {
			if who != signer {
				return ruleErr(CodeSignatureOrder, "%q signs after %q", signer, who)
			}
			return nil
		}
	}
	return nil
}

// SignaturesComplete reports whether every signatory has signed in a
// signature stage; when done, next is the stage to move to (executed).
func (d *Definition) SignaturesComplete(stage string, signatories, signed []string) (done bool, next string) {
	s := d.stage(stage)
	if s == nil || s.Kind != KindSignature || len(signatories) == 0 {
		return false, ""
	}
	for _, who := range signatories {
		if !slices.Contains(signed, who) {
			return false, ""
		}
	}
	return true, s.Next
}

// Execute reports where an MOU goes when its signing is complete: the
// signature stage's next stage (executed). Only a signature stage can be
// executed from; callers check approvals with CheckApproved and, once
// signatures are stored, completeness with SignaturesComplete.
func (d *Definition) Execute(stage string) (next string, err error) {
	s, err := d.live(stage)
	if err != nil {
		return "", err
	}
	if s.Kind != KindSignature || s.Next == "" {
		return "", ruleErr(CodeWrongStage, "an MOU is executed from a signature stage, not from %q", stage)
	}
	return s.Next, nil
}
