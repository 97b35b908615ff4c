package msgtest

import (
	"encoding/binary"
	"hash/crc32"
)

// CompressRTF writes rtf as an MS-OXRTFCP "LZFu" stream made only of
// literal runs (valid, not small), ended by the reference to the write
// position that the format uses as its end marker.
func CompressRTF(rtf []byte) []byte {
	const prefixLen = 207 // the dictionary's pre-filled bytes
	var body []byte
	write := prefixLen
	for i := 0; i < len(rtf); i += 8 {
		chunk := rtf[i:min(i+8, len(rtf))]
		if len(chunk) == 8 {
			body = append(body, 0)
			body = append(body, chunk...)
			write = (write + 8) % 4096
			continue
		}
		body = append(body, byte(1<<len(chunk)))
		body = append(body, chunk...)
		write = (write + len(chunk)) % 4096
		body = append(body, byte(write>>4), byte(write<<4))
		return header(body, len(rtf))
	}
	body = append(body, 1, byte(write>>4), byte(write<<4))
	return header(body, len(rtf))
}

func header(body []byte, rawSize int) []byte {
	out := make([]byte, 16, 16+len(body))
	binary.LittleEndian.PutUint32(out[0:], uint32(len(body)+12))
	binary.LittleEndian.PutUint32(out[4:], uint32(rawSize))
	binary.LittleEndian.PutUint32(out[8:], 0x75465A4C)
	binary.LittleEndian.PutUint32(out[12:], crc(body))
	return append(out, body...)
}

// crc is the format's CRC-32: the IEEE table with initial value 0 and no
// final inversion, which is crc32.Update with its two inversions undone.
func crc(b []byte) uint32 {
	return ^crc32.Update(0xFFFFFFFF, crc32.IEEETable, b)
}
