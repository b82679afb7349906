package pdfsign

import (
	"bytes"
	"fmt"
)

// helvetica is the fallback font resource of signature appearances, for
// documents without an embedded Unicode font that covers the lines (see
// cidFont): standard Helvetica with WinAnsiEncoding, which every viewer has
// built in. Names outside WinAnsi are transliterated by winAnsi there; the
// signature dictionary (/Name) and the certificate keep them exactly.
var helvetica = dict{
	"Type": name("Font"), "Subtype": name("Type1"),
	"BaseFont": name("Helvetica"), "Encoding": name("WinAnsiEncoding"),
}

// appearance returns the content stream drawing lines inside a w×h box: a
// thin frame and the lines top to bottom, sized to fit both ways, each in
// the font resource fontFor picks for it.
func appearance(lines []string, w, h float64, fontFor func(line string) (resource string, f appearanceFont)) []byte {
	const pad = 3.0
	var b bytes.Buffer
	fmt.Fprintf(&b, "q 0.15 0.25 0.55 RG 0.75 w %s %s %s %s re S Q\n",
		formatReal(0.5), formatReal(0.5), formatReal(max(w-1, 0)), formatReal(max(h-1, 0)))
	if len(lines) == 0 {
		return b.Bytes()
	}
	encoded := make([][]byte, len(lines))
	resources := make([]string, len(lines))
	widest := 1.0
	for i, l := range lines {
		var f appearanceFont
		resources[i], f = fontFor(l)
		var lw float64
		encoded[i], lw = f.encode(l)
		widest = max(widest, lw)
	}
	size := (h - 2*pad) / (float64(len(lines)) * 1.2)
	size = min(size, (w-2*pad)/(widest/1000), 11)
	size = max(size, 4)
	y := h - pad - size
	for i, e := range encoded {
		b.WriteString("BT /")
		b.WriteString(resources[i])
		b.WriteByte(' ')
		b.WriteString(formatReal(size))
		b.WriteString(" Tf 0 g ")
		b.WriteString(formatReal(pad))
		b.WriteByte(' ')
		b.WriteString(formatReal(y))
		b.WriteString(" Td ")
		b.Write(e)
		b.WriteString(" Tj ET\n")
		y -= size * 1.2
	}
	return b.Bytes()
}

// formXObject is the dictionary of an appearance stream of size w×h with
// the font resources fonts (nil for none).
func formXObject(w, h float64, fonts dict) dict {
	d := dict{
		"Type": name("XObject"), "Subtype": name("Form"),
		"BBox": array{0.0, 0.0, w, h},
	}
	if len(fonts) > 0 {
		d["Resources"] = dict{"Font": fonts}
	}
	return d
}
