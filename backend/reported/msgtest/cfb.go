// Package msgtest writes Outlook .msg files (MS-OXMSG in an MS-CFB
// compound file) for tests and for the demo corpus. It writes what the
// reader must understand — header, FAT, directory, mini stream, property
// streams — and lets tests break it on purpose (Layout, SetFAT).
package msgtest

import (
	"encoding/binary"
	"slices"
	"strings"
	"unicode/utf16"
)

// Entry is a storage (Children) or a stream (Data) of a compound file.
type Entry struct {
	Name     string
	Storage  bool
	Children []*Entry
	Data     []byte
}

// Stream makes a stream entry.
func Stream(name string, data []byte) *Entry { return &Entry{Name: name, Data: data} }

// Storage makes a storage entry.
func Storage(name string, children ...*Entry) *Entry {
	return &Entry{Name: name, Storage: true, Children: children}
}

// Span is where a stream's data went: its first sector (a mini sector
// when Mini) and how many sectors its chain has.
type Span struct {
	Start   uint32
	Sectors int
	Mini    bool
}

// Layout says where things are in a written file, for tests that damage
// it on purpose. Streams are keyed by their path, "storage/…/stream".
type Layout struct {
	FATSectors []uint32
	Streams    map[string]Span
}

const (
	sectorSize  = 512
	miniSize    = 64
	miniCutoff  = 4096
	endOfChain  = 0xFFFFFFFE
	freeSect    = 0xFFFFFFFF
	fatSect     = 0xFFFFFFFD
	difSect     = 0xFFFFFFFC
	noStream    = 0xFFFFFFFF
	entrySize   = 128
	perSector   = sectorSize / 4
	maxFATInHdr = 109
)

type dirEntry struct {
	e                  *Entry
	path               string
	left, right, child uint32
	start              uint32
	size               int
}

// Build writes a version 3 compound file (512-byte sectors) whose root
// storage holds children. Streams under 4096 bytes go to the mini stream.
func Build(children ...*Entry) ([]byte, Layout) {
	root := &Entry{Name: "Root Entry", Storage: true, Children: children}
	dir := flatten(root)
	lay := Layout{Streams: map[string]Span{}}

	// Mini stream and big streams.
	var mini, big []byte
	var miniFAT []uint32
	var bigChains [][2]int // first big-sector index (relative), count
	for i := range dir {
		d := &dir[i]
		if d.e.Storage || i == 0 {
			continue
		}
		d.size = len(d.e.Data)
		switch {
		case d.size == 0:
			d.start = endOfChain
		case d.size < miniCutoff:
			first := len(mini) / miniSize
			n := (d.size + miniSize - 1) / miniSize
			mini = append(mini, pad(d.e.Data, miniSize)...)
			for k := 0; k < n; k++ {
				next := uint32(first + k + 1)
				if k == n-1 {
					next = endOfChain
				}
				miniFAT = append(miniFAT, next)
			}
			d.start = uint32(first)
			lay.Streams[d.path] = Span{Start: d.start, Sectors: n, Mini: true}
		default:
			first := len(big) / sectorSize
			n := (d.size + sectorSize - 1) / sectorSize
			big = append(big, pad(d.e.Data, sectorSize)...)
			bigChains = append(bigChains, [2]int{first, n})
			d.start = uint32(first) // made absolute below
		}
	}

	dirSectors := ceilDiv(len(dir)*entrySize, sectorSize)
	miniFATSectors := ceilDiv(len(miniFAT)*4, sectorSize)
	miniStreamSectors := ceilDiv(len(mini), sectorSize)
	bigSectors := len(big) / sectorSize
	others := dirSectors + miniFATSectors + miniStreamSectors + bigSectors
	fatCount, difatCount := 1, 0
	for fatCount*perSector < others+fatCount+difatCount {
		fatCount++
		difatCount = ceilDiv(max(0, fatCount-maxFATInHdr), perSector-1)
	}
	difatStart := uint32(fatCount)
	dirStart := difatStart + uint32(difatCount)
	miniFATStart := dirStart + uint32(dirSectors)
	miniStart := miniFATStart + uint32(miniFATSectors)
	bigStart := miniStart + uint32(miniStreamSectors)
	total := int(bigStart) + bigSectors

	fat := make([]uint32, fatCount*perSector)
	for i := range fat {
		fat[i] = freeSect
	}
	for i := 0; i < fatCount; i++ {
		fat[i] = fatSect
		lay.FATSectors = append(lay.FATSectors, uint32(i))
	}
	for i := 0; i < difatCount; i++ {
		fat[fatCount+i] = difSect
	}
	chain(fat, dirStart, dirSectors)
	chain(fat, miniFATStart, miniFATSectors)
	chain(fat, miniStart, miniStreamSectors)
	bi := 0
	for i := range dir {
		d := &dir[i]
		if d.e.Storage || i == 0 || d.size < miniCutoff {
			continue
		}
		c := bigChains[bi]
		bi++
		d.start = bigStart + uint32(c[0])
		chain(fat, d.start, c[1])
		lay.Streams[d.path] = Span{Start: d.start, Sectors: c[1]}
	}
	dir[0].size = len(mini)
	dir[0].start = endOfChain
	if len(mini) > 0 {
		dir[0].start = miniStart
	}

	out := make([]byte, sectorSize*(1+total))
	writeHeader(out, fatCount, dirStart, miniFATStart, miniFATSectors)
	sector := func(n uint32) []byte { return out[sectorSize*(int(n)+1):] }
	writeDIFAT(out, sector, fatCount, difatStart, difatCount)
	for i, v := range fat {
		binary.LittleEndian.PutUint32(sector(uint32(i / perSector))[(i%perSector)*4:], v)
	}
	for i := range dir {
		writeEntry(sector(dirStart)[i*entrySize:], &dir[i])
	}
	for i := len(dir); i < dirSectors*sectorSize/entrySize; i++ {
		writeEntry(sector(dirStart)[i*entrySize:], &dirEntry{e: &Entry{}, left: noStream, right: noStream, child: noStream})
	}
	mf := sector(miniFATStart)
	for i := 0; i < miniFATSectors*perSector; i++ {
		v := uint32(freeSect)
		if i < len(miniFAT) {
			v = miniFAT[i]
		}
		binary.LittleEndian.PutUint32(mf[i*4:], v)
	}
	copy(sector(miniStart), mini)
	copy(sector(bigStart), big)
	return out, lay
}

// writeDIFAT lists the FAT sectors past the header's 109 in a chain of
// DIFAT sectors: 127 sector numbers each, then the next DIFAT sector.
func writeDIFAT(out []byte, sector func(uint32) []byte, fatCount int, start uint32, count int) {
	le := binary.LittleEndian
	if count == 0 {
		return
	}
	le.PutUint32(out[68:], start)
	le.PutUint32(out[72:], uint32(count))
	fatNo := maxFATInHdr
	for d := 0; d < count; d++ {
		s := sector(start + uint32(d))
		for k := 0; k < perSector-1; k++ {
			v := uint32(freeSect)
			if fatNo < fatCount {
				v = uint32(fatNo)
				fatNo++
			}
			le.PutUint32(s[4*k:], v)
		}
		next := start + uint32(d) + 1
		if d == count-1 {
			next = endOfChain
		}
		le.PutUint32(s[4*(perSector-1):], next)
	}
}

// SetFAT changes one FAT entry of a file Build wrote: tests use it to make
// chains loop or run off the end.
func SetFAT(file []byte, lay Layout, sector, next uint32) {
	fatSector := lay.FATSectors[sector/perSector]
	off := sectorSize*(int(fatSector)+1) + int(sector%perSector)*4
	binary.LittleEndian.PutUint32(file[off:], next)
}

// SetMiniFAT changes one mini FAT entry.
func SetMiniFAT(file []byte, sector, next uint32) {
	start := binary.LittleEndian.Uint32(file[60:64])
	off := sectorSize*(int(start)+1) + int(sector)*4
	binary.LittleEndian.PutUint32(file[off:], next)
}

func chain(fat []uint32, start uint32, n int) {
	for k := 0; k < n; k++ {
		next := start + uint32(k) + 1
		if k == n-1 {
			next = endOfChain
		}
		fat[int(start)+k] = next
	}
}

func writeHeader(out []byte, fatCount int, dirStart, miniFATStart uint32, miniFATSectors int) {
	copy(out, []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1})
	le := binary.LittleEndian
	le.PutUint16(out[24:], 0x003E) // minor version
	le.PutUint16(out[26:], 3)      // major version: 512-byte sectors
	le.PutUint16(out[28:], 0xFFFE) // byte order
	le.PutUint16(out[30:], 9)      // sector shift
	le.PutUint16(out[32:], 6)      // mini sector shift
	le.PutUint32(out[44:], uint32(fatCount))
	le.PutUint32(out[48:], dirStart)
	le.PutUint32(out[56:], miniCutoff)
	if miniFATSectors == 0 {
		miniFATStart = endOfChain
	}
	le.PutUint32(out[60:], miniFATStart)
	le.PutUint32(out[64:], uint32(miniFATSectors))
	le.PutUint32(out[68:], endOfChain) // no DIFAT sectors
	for i := 0; i < maxFATInHdr; i++ {
		v := uint32(freeSect)
		if i < fatCount {
			v = uint32(i)
		}
		le.PutUint32(out[76+4*i:], v)
	}
}

func writeEntry(b []byte, d *dirEntry) {
	le := binary.LittleEndian
	name := utf16.Encode([]rune(d.e.Name))
	if len(name) > 31 {
		name = name[:31]
	}
	for i, u := range name {
		le.PutUint16(b[2*i:], u)
	}
	switch {
	case d.e.Name == "" && !d.e.Storage:
		b[66] = 0 // unused entry
	case d.path == "":
		le.PutUint16(b[64:], uint16(2*len(name)+2))
		b[66] = 5 // root storage
	case d.e.Storage:
		le.PutUint16(b[64:], uint16(2*len(name)+2))
		b[66] = 1
	default:
		le.PutUint16(b[64:], uint16(2*len(name)+2))
		b[66] = 2
	}
	b[67] = 1 // black
	le.PutUint32(b[68:], d.left)
	le.PutUint32(b[72:], d.right)
	le.PutUint32(b[76:], d.child)
	le.PutUint32(b[116:], d.start)
	le.PutUint32(b[120:], uint32(d.size))
}

// flatten lists the entries, root first; each storage's children form a
// balanced binary tree ordered as MS-CFB orders names (shorter first,
// then by upper-cased code points).
func flatten(root *Entry) []dirEntry {
	dir := []dirEntry{{e: root, left: noStream, right: noStream, child: noStream}}
	var walk func(parent int, prefix string)
	walk = func(parent int, prefix string) {
		kids := slices.Clone(dir[parent].e.Children)
		slices.SortFunc(kids, func(a, b *Entry) int { return compareNames(a.Name, b.Name) })
		first := len(dir)
		for _, k := range kids {
			dir = append(dir, dirEntry{e: k, path: prefix + k.Name, left: noStream, right: noStream, child: noStream})
		}
		dir[parent].child = balance(dir, first, first+len(kids))
		for i := range kids {
			if kids[i].Storage {
				walk(first+i, prefix+kids[i].Name+"/")
			}
		}
	}
	walk(0, "")
	return dir
}

// balance links dir[lo:hi] (sorted) as a balanced tree and returns its root.
func balance(dir []dirEntry, lo, hi int) uint32 {
	if lo >= hi {
		return noStream
	}
	mid := (lo + hi) / 2
	dir[mid].left = balance(dir, lo, mid)
	dir[mid].right = balance(dir, mid+1, hi)
	return uint32(mid)
}

func compareNames(a, b string) int {
	ua, ub := utf16.Encode([]rune(a)), utf16.Encode([]rune(b))
	if len(ua) != len(ub) {
		return len(ua) - len(ub)
	}
	return strings.Compare(strings.ToUpper(a), strings.ToUpper(b))
}

func pad(b []byte, n int) []byte {
	out := slices.Clone(b)
	for len(out)%n != 0 {
		out = append(out, 0)
	}
	return out
}

func ceilDiv(a, b int) int { return (a + b - 1) / b }
