package reported

import (
	"encoding/binary"
	"fmt"
	"strings"
	"time"
	"unicode/utf16"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/htmlindex"
)

// Property ids (MS-OXPROPS) the reader uses.
const (
	propTransportHeaders  = 0x007D
	propSubject           = 0x0037
	propClientSubmitTime  = 0x0039
	propSentRepName       = 0x0042
	propSentRepEmail      = 0x0065
	propSenderName        = 0x0C1A
	propSenderEmail       = 0x0C1F
	propRecipientType     = 0x0C15
	propDeliveryTime      = 0x0E06
	propBody              = 0x1000
	propRTFCompressed     = 0x1009
	propHTML              = 0x1013
	propInternetMessageID = 0x1035
	propInReplyTo         = 0x1042
	propDisplayName       = 0x3001
	propEmailAddress      = 0x3003
	propAttachData        = 0x3701
	propAttachFilename    = 0x3704
	propAttachMethod      = 0x3705
	propAttachLongName    = 0x3707
	propAttachMimeTag     = 0x370E
	propAttachContentID   = 0x3712
	propSMTPAddress       = 0x39FE
	propInternetCPID      = 0x3FDE
	propMessageCodepage   = 0x3FFD
	propSenderSMTP        = 0x5D01
	propSentRepSMTP       = 0x5D02
)

// Property types.
const (
	typeLong    = 0x0003
	typeString8 = 0x001E
	typeUnicode = 0x001F
	typeSysTime = 0x0040
	typeBinary  = 0x0102
)

// props gives one storage's properties: variable-length ones from their
// __substg1.0_ streams, fixed-length ones from __properties_version1.0.
type props struct {
	s     *storage
	fixed map[uint16][8]byte // by property id
	cp    encoding.Encoding  // for PT_STRING8 and binary HTML
}

// newProps reads the fixed-length property table. Its header is 32 bytes
// for the top-level message, 24 for an embedded one, 8 for recipient and
// attachment storages; each entry is 16 bytes (tag, flags, value).
func newProps(s *storage, header int) *props {
	p := &props{s: s, fixed: map[uint16][8]byte{}}
	table := s.streams["__properties_version1.0"]
	for off := header; off+16 <= len(table); off += 16 {
		tag := binary.LittleEndian.Uint32(table[off:])
		var v [8]byte
		copy(v[:], table[off+8:off+16])
		if _, dup := p.fixed[uint16(tag>>16)]; !dup {
			p.fixed[uint16(tag>>16)] = v
		}
	}
	return p
}

func (p *props) stream(id, typ uint16) ([]byte, bool) {
	b, ok := p.s.streams[fmt.Sprintf("__substg1.0_%04X%04X", id, typ)]
	return b, ok
}

// str reads a string property, preferring its Unicode form.
func (p *props) str(id uint16) string {
	if b, ok := p.stream(id, typeUnicode); ok {
		return utf16String(b)
	}
	if b, ok := p.stream(id, typeString8); ok {
		return p.decode8(trimNUL(b))
	}
	return ""
}

func (p *props) binary(id uint16) ([]byte, bool) { return p.stream(id, typeBinary) }

func (p *props) long(id uint16) (int, bool) {
	v, ok := p.fixed[id]
	return int(int32(binary.LittleEndian.Uint32(v[:4]))), ok
}

// time reads a PT_SYSTIME (FILETIME: 100 ns ticks since 1601).
func (p *props) time(id uint16) time.Time {
	v, ok := p.fixed[id]
	if !ok {
		return time.Time{}
	}
	ticks := int64(binary.LittleEndian.Uint64(v[:]))
	const epochDiff = 116444736000000000 // 1601-01-01 to 1970-01-01 in ticks
	if ticks <= epochDiff || ticks > epochDiff+1e17 {
		return time.Time{}
	}
	return time.Unix(0, (ticks-epochDiff)*100).UTC()
}

// decode8 decodes 8-bit text in the message's code page; text that is
// valid UTF-8 is taken as it is, and unknown code pages fall back to
// Windows-1252, which decodes every byte.
func (p *props) decode8(b []byte) string {
	if utf8.Valid(b) {
		return string(b)
	}
	enc := p.cp
	if enc == nil {
		enc = charmap.Windows1252
	}
	out, err := enc.NewDecoder().Bytes(b)
	if err != nil {
		out, _ = charmap.Windows1252.NewDecoder().Bytes(b)
	}
	return string(out)
}

// codePages names the code pages Outlook writes most, for htmlindex.
var codePages = map[int]string{
	65001: "utf-8", 1200: "utf-16le", 20127: "us-ascii", 1250: "windows-1250", 1251: "windows-1251",
	1252: "windows-1252", 1253: "windows-1253", 1254: "windows-1254", 1255: "windows-1255",
	1256: "windows-1256", 1257: "windows-1257", 1258: "windows-1258", 874: "windows-874",
	28591: "iso-8859-1", 28592: "iso-8859-2", 28595: "iso-8859-5", 28597: "iso-8859-7",
	28599: "iso-8859-9", 28605: "iso-8859-15", 20866: "koi8-r", 21866: "koi8-u", 932: "shift_jis",
	936: "gbk", 949: "euc-kr", 950: "big5", 51932: "euc-jp", 50220: "iso-2022-jp", 54936: "gb18030",
}

func codePage(cp int) encoding.Encoding {
	name, ok := codePages[cp]
	if !ok {
		return nil
	}
	enc, err := htmlindex.Get(name)
	if err != nil {
		return nil
	}
	return enc
}

func utf16String(b []byte) string {
	u := make([]uint16, 0, len(b)/2)
	for i := 0; i+1 < len(b); i += 2 {
		u = append(u, binary.LittleEndian.Uint16(b[i:]))
	}
	for len(u) > 0 && u[len(u)-1] == 0 {
		u = u[:len(u)-1]
	}
	return string(utf16.Decode(u))
}

func trimNUL(b []byte) []byte {
	for len(b) > 0 && b[len(b)-1] == 0 {
		b = b[:len(b)-1]
	}
	return b
}

// decodeMessage reads a message storage (the root, or an embedded one at
// depth > 0) into a Msg.
func decodeMessage(s *storage, depth int, lim MsgLimits) *Msg {
	header := 32
	if depth > 0 {
		header = 24
	}
	p := newProps(s, header)
	if cp, ok := p.long(propInternetCPID); ok {
		p.cp = codePage(cp)
	} else if cp, ok := p.long(propMessageCodepage); ok {
		p.cp = codePage(cp)
	}
	m := &Msg{
		TransportHeaders: capText(p.str(propTransportHeaders), lim.MaxHeaderString),
		Subject:          p.str(propSubject),
		MessageID:        strings.TrimSpace(p.str(propInternetMessageID)),
		InReplyTo:        strings.TrimSpace(p.str(propInReplyTo)),
		Body:             p.str(propBody),
	}
	m.SenderName, m.SenderAddress = senderOf(p)
	m.Date = p.time(propClientSubmitTime)
	if m.Date.IsZero() {
		m.Date = p.time(propDeliveryTime)
	}
	m.HTML = htmlOf(p)
	if m.Body == "" && m.HTML == "" {
		m.readRTF(p, lim)
	}
	for _, c := range s.children {
		switch childKind(c.name) {
		case "recip":
			m.Recipients = append(m.Recipients, recipientOf(newProps(c, 8)))
		case "attach":
			m.Attachments = append(m.Attachments, attachmentOf(c, depth, lim, &m.Notes))
		}
	}
	return m
}

// senderOf prefers an SMTP address: PidTagSenderEmailAddress is an
// Exchange DN (/O=…) for internal senders.
func senderOf(p *props) (name, addr string) {
	name = p.str(propSenderName)
	if name == "" {
		name = p.str(propSentRepName)
	}
	for _, id := range []uint16{propSenderSMTP, propSenderEmail, propSentRepSMTP, propSentRepEmail} {
		if a := strings.TrimSpace(p.str(id)); strings.Contains(a, "@") {
			return name, a
		}
	}
	return name, strings.TrimSpace(p.str(propSenderEmail))
}

func htmlOf(p *props) string {
	if b, ok := p.binary(propHTML); ok {
		return p.decode8(trimNUL(b))
	}
	return p.str(propHTML)
}

func (m *Msg) readRTF(p *props, lim MsgLimits) {
	b, ok := p.binary(propRTFCompressed)
	if !ok {
		return
	}
	rtf, err := DecompressRTF(b, lim.MaxRTFBytes)
	if err != nil {
		m.Notes = append(m.Notes, err.Error())
	}
	m.RTF = rtf
}

func recipientOf(p *props) MsgRecipient {
	r := MsgRecipient{Name: p.str(propDisplayName), Type: 1}
	if t, ok := p.long(propRecipientType); ok {
		r.Type = t
	}
	r.Address = strings.TrimSpace(p.str(propSMTPAddress))
	if r.Address == "" {
		r.Address = strings.TrimSpace(p.str(propEmailAddress))
	}
	return r
}

// attachMethodEmbedded is PidTagAttachMethod's value for an attached
// message stored as a storage.
const attachMethodEmbedded = 5

func attachmentOf(s *storage, depth int, lim MsgLimits, notes *[]string) MsgAttachment {
	p := newProps(s, 8)
	a := MsgAttachment{
		Name:      firstNonEmpty(p.str(propAttachLongName), p.str(propAttachFilename), p.str(propDisplayName)),
		MimeType:  p.str(propAttachMimeTag),
		ContentID: p.str(propAttachContentID),
	}
	if b, ok := p.binary(propAttachData); ok {
		a.Data = b
	}
	if sub := s.byName[embeddedStorage]; sub != nil {
		if depth+1 > lim.MaxDepth {
			*notes = append(*notes, fmt.Sprintf("an embedded message %d levels deep was not read", depth+1))
		} else {
			a.Embedded = decodeMessage(sub, depth+1, lim)
		}
	} else if method, _ := p.long(propAttachMethod); method == attachMethodEmbedded && a.Data == nil {
		*notes = append(*notes, fmt.Sprintf("embedded message %q has no storage", a.Name))
	}
	return a
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}

// capText cuts s to at most n bytes, on a rune boundary.
func capText(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
