package pdfsign

import (
	"bytes"
	"fmt"
)

// helvetica is the font resource of signature appearances: standard
// Helvetica with WinAnsiEncoding, which every viewer has built in. Names
// outside Latin-1/WinAnsi are transliterated by winAnsi; the signature
// dictionary (/Name) and the certificate keep them exactly.
var helvetica = dict{
	"Type": name("Font"), "Subtype": name("Type1"),
	"BaseFont": name("Helvetica"), "Encoding": name("WinAnsiEncoding"),
}

// appearance returns the content stream drawing lines inside a w×h box: a
// thin frame and the lines top to bottom, sized to fit both ways.
func appearance(lines []string, w, h float64) []byte {
	const pad = 3.0
	var b bytes.Buffer
	fmt.Fprintf(&b, "q 0.15 0.25 0.55 RG 0.75 w %s %s %s %s re S Q\n",
		formatReal(0.5), formatReal(0.5), formatReal(max(w-1, 0)), formatReal(max(h-1, 0)))
	if len(lines) == 0 {
		return b.Bytes()
	}
	encoded := make([][]byte, len(lines))
	longest := 1
	for i, l := range lines {
		encoded[i], _ = winAnsi(l)
		longest = max(longest, len(encoded[i]))
	}
	size := (h - 2*pad) / (float64(len(lines)) * 1.2)
	// 0.55 em is Helvetica's average advance for mixed-case text.
	size = min(size, (w-2*pad)/(float64(longest)*0.55), 11)
	size = max(size, 4)
	y := h - pad - size
	for _, e := range encoded {
		b.WriteString("BT /Helv ")
		b.WriteString(formatReal(size))
		b.WriteString(" Tf 0 g ")
		b.WriteString(formatReal(pad))
		b.WriteByte(' ')
		b.WriteString(formatReal(y))
		b.WriteString(" Td ")
		writeLiteral(&b, e)
		b.WriteString(" Tj ET\n")
		y -= size * 1.2
	}
	return b.Bytes()
}

// formXObject is the dictionary of an appearance stream of size w×h.
func formXObject(w, h float64, font ref, withFont bool) dict {
	d := dict{
		"Type": name("XObject"), "Subtype": name("Form"),
		"BBox": array{0.0, 0.0, w, h},
	}
	if withFont {
		d["Resources"] = dict{"Font": dict{"Helv": font}}
	}
	return d
}
