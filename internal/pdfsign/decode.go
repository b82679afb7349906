package pdfsign

import (
	"bytes"
	"compress/zlib"
	"fmt"
	"io"
)

// maxDecoded bounds the size of a decoded stream (xref and object streams
// only), so a small "zip bomb" cannot exhaust memory.
const maxDecoded = 64 << 20

// decodeStream returns the decoded data of an xref or object stream. Only
// FlateDecode (with PNG or no predictor) is supported: it is what qpdf,
// pdfcpu, Acrobat and every other writer use for these two stream types.
func decodeStream(s *stream) ([]byte, error) {
	filters := s.Dict["Filter"]
	parms := s.Dict["DecodeParms"]
	if a, ok := filters.(array); ok {
		if len(a) > 1 {
			return nil, fmt.Errorf("decode stream: %d filters unsupported", len(a))
		}
		if len(a) == 1 {
			filters = a[0]
		} else {
			filters = nil
		}
		if pa, ok := parms.(array); ok && len(pa) > 0 {
			parms = pa[0]
		}
	}
	switch filters {
	case nil:
		return s.Raw, nil
	case name("FlateDecode"):
	default:
		return nil, fmt.Errorf("decode stream: filter %v unsupported", filters)
	}
	zr, err := zlib.NewReader(bytes.NewReader(s.Raw))
	if err != nil {
		return nil, fmt.Errorf("decode stream: %w", err)
	}
	out, err := io.ReadAll(io.LimitReader(zr, maxDecoded+1))
	if err != nil && len(out) == 0 {
		return nil, fmt.Errorf("decode stream: %w", err)
	}
	if len(out) > maxDecoded {
		return nil, fmt.Errorf("decode stream: more than %d bytes", maxDecoded)
	}
	if pd, ok := parms.(dict); ok {
		pred, _ := pd["Predictor"].(int64)
		if pred >= 10 {
			cols, _ := pd["Columns"].(int64)
			if cols <= 0 {
				cols = 1
			}
			return unpredictPNG(out, int(min(cols, 1<<16)))
		} else if pred > 1 {
			return nil, fmt.Errorf("decode stream: predictor %d unsupported", pred)
		}
	}
	return out, nil
}

// unpredictPNG undoes PNG row filters for 8-bit, one-colour rows of cols
// bytes, the only layout used for xref streams.
func unpredictPNG(in []byte, cols int) ([]byte, error) {
	row := cols + 1
	out := make([]byte, 0, len(in)/row*cols)
	prev := make([]byte, cols)
	for i := 0; i+row <= len(in); i += row {
		ft, cur := in[i], in[i+1:i+row]
		line := make([]byte, cols)
		for j := range cols {
			var left, up, ul byte
			if j > 0 {
				left, ul = line[j-1], prev[j-1]
			}
			up = prev[j]
			switch ft {
			case 0:
				line[j] = cur[j]
			case 1:
				line[j] = cur[j] + left
			case 2:
				line[j] = cur[j] + up
			case 3:
				line[j] = cur[j] + byte((int(left)+int(up))/2)
			case 4:
				line[j] = cur[j] + paeth(left, up, ul)
			default:
				return nil, fmt.Errorf("decode stream: PNG filter %d", ft)
			}
		}
		out = append(out, line...)
		prev = line
	}
	return out, nil
}

func paeth(a, b, c byte) byte {
	p := int(a) + int(b) - int(c)
	pa, pb, pc := abs(p-int(a)), abs(p-int(b)), abs(p-int(c))
	switch {
	case pa <= pb && pa <= pc:
		return a
	case pb <= pc:
		return b
	}
	return c
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}
