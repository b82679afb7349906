package pdfsign

import (
	"errors"
)

// sigField is a terminal signature field of the AcroForm.
type sigField struct {
	ref    ref
	dict   dict
	name   string // fully qualified: partial names joined with "."
	value  any    // /V, a reference to the signature dictionary, or nil
	widget ref    // the field itself when field and widget are merged
}

// maxFieldNodes bounds the form-tree walk so cyclic /Kids cannot hang it.
const maxFieldNodes = 100000

// formFields returns the AcroForm dictionary (nil if none) and every
// signature field in it.
func (d *document) formFields() (dict, []sigField, error) {
	cat, _, err := d.catalog()
	if err != nil {
		return nil, nil, err
	}
	form := d.dictOf(cat["AcroForm"])
	if form == nil {
		return nil, nil, nil
	}
	fv, _ := d.resolve(form["Fields"])
	top, _ := fv.(array)
	var out []sigField
	seen := map[ref]bool{}
	budget := maxFieldNodes
	var walk func(r ref, parent, ft string, depth int) error
	walk = func(r ref, parent, ft string, depth int) error {
		if budget--; budget < 0 || depth > maxDepth {
			return errors.New("form field tree too large or too deep")
		}
		if seen[r] {
			return nil
		}
		seen[r] = true
		if err := d.ctx.Err(); err != nil {
			return err
		}
		node := d.dictOf(r)
		if node == nil {
			return nil
		}
		full := parent
		if t, ok := node["T"].(pdfString); ok {
			if full != "" {
				full += "."
			}
			full += decodeText(t)
		}
		if f := node.name("FT"); f != "" {
			ft = f
		}
		kv, _ := d.resolve(node["Kids"])
		kids, _ := kv.(array)
		widget := r
		for _, k := range kids {
			kr, ok := k.(ref)
			if !ok {
				continue
			}
			if kd := d.dictOf(kr); kd != nil && kd["T"] != nil {
				if err := walk(kr, full, ft, depth+1); err != nil {
					return err
				}
			} else if widget == r {
				widget = kr
			}
		}
		if ft == "Sig" && (len(kids) == 0 || widget != r) {
			out = append(out, sigField{ref: r, dict: node, name: full, value: node["V"], widget: widget})
		}
		return nil
	}
	for _, f := range top {
		if r, ok := f.(ref); ok {
			if err := walk(r, "", "", 0); err != nil {
				return form, out, err
			}
		}
	}
	return form, out, nil
}

func findField(fields []sigField, name string) (sigField, bool) {
	for _, f := range fields {
		if f.name == name {
			return f, true
		}
	}
	return sigField{}, false
}
