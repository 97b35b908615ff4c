package msgtest

import (
	"encoding/binary"
	"fmt"
	"time"
	"unicode/utf16"
)

// Message is what a test or the demo puts in a .msg file. Empty fields
// are left out of the file.
type Message struct {
	TransportHeaders string
	Subject          string
	SenderName       string
	SenderAddress    string // written as PidTagSenderSmtpAddress and PidTagSenderEmailAddress
	MessageID        string
	Date             time.Time // PidTagClientSubmitTime
	Recipients       []Recipient
	Body             string
	HTML             string // written as binary PidTagHtml in CodePage
	RTF              []byte // RTF, written compressed (LZFu)
	Attachments      []Attachment
	// String8 writes strings as PT_STRING8 in CodePage instead of PT_UNICODE.
	String8 bool
	// CodePage is PidTagInternetCodepage (default 65001, UTF-8); String8
	// text must already be in it.
	CodePage int
	// Extra streams, added as they are (name → data), for hostile tests.
	Extra map[string][]byte
}

// Recipient is one recipient; Type 1 To, 2 Cc, 3 Bcc.
type Recipient struct {
	Name, Address string
	Type          int
}

// Attachment is a file, or an embedded message when Embedded is set.
type Attachment struct {
	Name     string
	MimeType string
	Data     []byte
	Embedded *Message
}

// Property types and ids (MS-OXPROPS).
const (
	ptLong    = 0x0003
	ptString8 = 0x001E
	ptUnicode = 0x001F
	ptSysTime = 0x0040
	ptBinary  = 0x0102
	ptObject  = 0x000D
)

// Bytes writes m as a .msg file.
func (m *Message) Bytes() []byte {
	data, _ := Build(m.entries(0)...)
	return data
}

// entries are the streams and storages of a message storage; depth 0 is
// the top-level message.
func (m *Message) entries(depth int) []*Entry {
	pw := &propWriter{string8: m.String8}
	pw.str(0x007D, m.TransportHeaders)
	pw.str(0x0037, m.Subject)
	pw.str(0x0C1A, m.SenderName)
	pw.str(0x0C1F, m.SenderAddress)
	pw.str(0x5D01, m.SenderAddress)
	pw.str(0x1035, m.MessageID)
	pw.str(0x1000, m.Body)
	if m.HTML != "" {
		pw.bin(0x1013, []byte(m.HTML))
	}
	if m.RTF != nil {
		pw.bin(0x1009, CompressRTF(m.RTF))
	}
	if !m.Date.IsZero() {
		pw.fixed(0x0039, ptSysTime, fileTime(m.Date))
	}
	cp := m.CodePage
	if cp == 0 {
		cp = 65001
	}
	pw.fixed(0x3FDE, ptLong, uint64(cp))
	out := pw.entries()
	for i, r := range m.Recipients {
		rw := &propWriter{string8: m.String8}
		rw.str(0x3001, r.Name)
		rw.str(0x3003, r.Address)
		rw.str(0x39FE, r.Address)
		rw.fixed(0x0C15, ptLong, uint64(r.Type))
		out = append(out, Storage(fmt.Sprintf("__recip_version1.0_#%08X", i), rw.withHeader(8)...))
	}
	for i, a := range m.Attachments {
		out = append(out, Storage(fmt.Sprintf("__attach_version1.0_#%08X", i), a.entries(m.String8, depth)...))
	}
	out = append(out, Storage("__nameid_version1.0",
		Stream("__substg1.0_00020102", nil), Stream("__substg1.0_00030102", nil), Stream("__substg1.0_00040102", nil)))
	if depth > 0 {
		out = withoutNameID(out)
	}
	header := 32
	if depth > 0 {
		header = 24
	}
	out = append(out, Stream("__properties_version1.0", pw.table(header, len(m.Recipients), len(m.Attachments))))
	for name, data := range m.Extra {
		out = append(out, Stream(name, data))
	}
	return out
}

// withoutNameID drops the named-property storage, which only the
// top-level message has.
func withoutNameID(es []*Entry) []*Entry {
	out := es[:0]
	for _, e := range es {
		if e.Name != "__nameid_version1.0" {
			out = append(out, e)
		}
	}
	return out
}

func (a Attachment) entries(string8 bool, depth int) []*Entry {
	pw := &propWriter{string8: string8}
	pw.str(0x3707, a.Name)
	pw.str(0x3704, a.Name)
	pw.str(0x3001, a.Name)
	pw.str(0x370E, a.MimeType)
	if a.Embedded != nil {
		pw.fixed(0x3705, ptLong, 5)
		pw.props = append(pw.props, prop{tag: 0x3701<<16 | ptObject, value: 0xFFFFFFFF})
		return append(pw.withHeader(8), Storage("__substg1.0_3701000D", a.Embedded.entries(depth+1)...))
	}
	pw.fixed(0x3705, ptLong, 1)
	pw.bin(0x3701, a.Data)
	return pw.withHeader(8)
}

type prop struct {
	tag   uint32
	value uint64
}

// propWriter gathers a storage's property streams and its fixed table.
type propWriter struct {
	string8 bool
	props   []prop
	streams []*Entry
}

func (w *propWriter) str(id uint16, s string) {
	if s == "" {
		return
	}
	if w.string8 {
		w.stream(id, ptString8, append([]byte(s), 0))
		return
	}
	u := utf16.Encode([]rune(s))
	b := make([]byte, 2*len(u)+2)
	for i, v := range u {
		binary.LittleEndian.PutUint16(b[2*i:], v)
	}
	w.stream(id, ptUnicode, b)
}

func (w *propWriter) bin(id uint16, b []byte) { w.stream(id, ptBinary, b) }

func (w *propWriter) stream(id, typ uint16, b []byte) {
	w.streams = append(w.streams, Stream(fmt.Sprintf("__substg1.0_%04X%04X", id, typ), b))
	w.props = append(w.props, prop{tag: uint32(id)<<16 | uint32(typ), value: uint64(len(b))})
}

func (w *propWriter) fixed(id, typ uint16, v uint64) {
	w.props = append(w.props, prop{tag: uint32(id)<<16 | uint32(typ), value: v})
}

func (w *propWriter) entries() []*Entry { return w.streams }

// withHeader is the streams plus a property table with an 8-byte header
// (recipient and attachment storages).
func (w *propWriter) withHeader(header int) []*Entry {
	return append(w.streams, Stream("__properties_version1.0", w.table(header, 0, 0)))
}

// table writes __properties_version1.0: the header (next ids and counts
// for message storages) and one 16-byte entry per property.
func (w *propWriter) table(header, recips, attachs int) []byte {
	b := make([]byte, header, header+16*len(w.props))
	if header >= 24 {
		le := binary.LittleEndian
		le.PutUint32(b[8:], uint32(recips))
		le.PutUint32(b[12:], uint32(attachs))
		le.PutUint32(b[16:], uint32(recips))
		le.PutUint32(b[20:], uint32(attachs))
	}
	for _, p := range w.props {
		var e [16]byte
		binary.LittleEndian.PutUint32(e[0:], p.tag)
		binary.LittleEndian.PutUint32(e[4:], 6) // readable | writable
		binary.LittleEndian.PutUint64(e[8:], p.value)
		b = append(b, e[:]...)
	}
	return b
}

// fileTime is t as a Windows FILETIME: 100 ns ticks since 1601.
func fileTime(t time.Time) uint64 {
	return uint64(t.UnixNano()/100 + 116444736000000000)
}

// EntriesForTest are the top-level entries of m, for tests that build the
// file with Build to learn its Layout.
func (m *Message) EntriesForTest() []*Entry { return m.entries(0) }
