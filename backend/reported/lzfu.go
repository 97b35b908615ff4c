package reported

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// rtfPrefix pre-fills the LZFu dictionary (MS-OXRTFCP 2.1.3.1.1): the
// compressor may refer to these bytes as if they had been written already.
const rtfPrefix = "{\\rtf1\\ansi\\mac\\deff0\\deftab720{\\fonttbl;}{\\f0\\fnil \\froman \\fswiss \\fmodern \\fscript \\fdecor MS Sans SerifSymbolArialTimes New RomanCourier{\\colortbl\\red0\\green0\\blue0\r\n\\par \\pard\\plain\\f0\\fs20\\b\\i\\u\\tab\\tx"

const (
	lzfuCompressed   = 0x75465A4C // "LZFu"
	lzfuUncompressed = 0x414C454D // "MELA"
	lzfuHeaderSize   = 16
)

// errRTF is the reason a compressed RTF stream could not be read.
var errRTF = errors.New("compressed RTF")

// DecompressRTF expands a PidTagRtfCompressed stream (MS-OXRTFCP), at most
// maxOut bytes of it. Corrupt input ends the output where the corruption
// starts and returns what was decoded so far with an error. The CRC is not
// checked: a wrong one only means the writer was careless, and the text
// is evidence either way.
func DecompressRTF(data []byte, maxOut int) ([]byte, error) {
	if len(data) < lzfuHeaderSize {
		return nil, fmt.Errorf("%w: %d bytes, shorter than its header", errRTF, len(data))
	}
	compSize := int64(binary.LittleEndian.Uint32(data[0:4]))
	rawSize := int64(binary.LittleEndian.Uint32(data[4:8]))
	kind := binary.LittleEndian.Uint32(data[8:12])
	body := data[lzfuHeaderSize:]
	if end := compSize - 12; end >= 0 && end < int64(len(body)) {
		body = body[:end]
	}
	limit := int64(maxOut)
	if rawSize < limit {
		limit = rawSize
	}
	switch kind {
	case lzfuUncompressed:
		return body[:min(int64(len(body)), limit)], nil
	case lzfuCompressed:
		return lzfuExpand(body, int(limit))
	}
	return nil, fmt.Errorf("%w: unknown compression type %#x", errRTF, kind)
}

// lzfuExpand runs the LZ77 variant of MS-OXRTFCP over body: a control
// byte's bits (low bit first) say whether each of the next eight tokens is
// a literal byte or a 2-byte reference (12-bit dictionary offset, 4-bit
// length - 2) into a 4096-byte ring dictionary. A reference to the write
// position itself ends the stream.
func lzfuExpand(body []byte, limit int) ([]byte, error) {
	var dict [4096]byte
	copy(dict[:], rtfPrefix)
	write := len(rtfPrefix)
	out := make([]byte, 0, min(limit, 1<<20))
	in := 0
	for in < len(body) {
		control := body[in]
		in++
		for bit := 0; bit < 8; bit++ {
			if len(out) >= limit {
				return out, nil
			}
			if control&(1<<bit) == 0 {
				if in >= len(body) {
					return out, nil
				}
				out = append(out, body[in])
				dict[write] = body[in]
				write = (write + 1) % len(dict)
				in++
				continue
			}
			if in+2 > len(body) {
				return out, fmt.Errorf("%w: reference cut short", errRTF)
			}
			ref := int(body[in])<<8 | int(body[in+1])
			in += 2
			offset, length := ref>>4, ref&0xF+2
			if offset == write {
				return out, nil
			}
			for i := 0; i < length && len(out) < limit; i++ {
				b := dict[(offset+i)%len(dict)]
				out = append(out, b)
				dict[write] = b
				write = (write + 1) % len(dict)
			}
		}
	}
	return out, nil
}
