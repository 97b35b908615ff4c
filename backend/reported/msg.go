package reported

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/richardlehane/mscfb"
)

// Msg is an Outlook message (.msg, MS-OXMSG) as read from its property
// streams. Every string is untrusted: sanitize before display.
type Msg struct {
	TransportHeaders string // PidTagTransportMessageHeaders, as received
	Subject          string
	SenderName       string
	SenderAddress    string // the SMTP address where the file has one
	MessageID        string // PidTagInternetMessageId, with its brackets
	InReplyTo        string
	Date             time.Time // submit time, else delivery time; zero when absent
	Recipients       []MsgRecipient
	Body             string // plain text
	HTML             string // decoded to UTF-8
	// RTF is the decompressed RTF body, only read when the message has
	// neither a plain nor an HTML body.
	RTF         []byte
	Attachments []MsgAttachment
	// Notes say what a limit left out or what could not be read.
	Notes []string
}

// MsgRecipient is one row of the recipient table.
type MsgRecipient struct {
	Name    string
	Address string
	Type    int // 1 To, 2 Cc, 3 Bcc (PidTagRecipientType)
}

// MsgAttachment is one attachment: data, or an embedded message.
type MsgAttachment struct {
	Name      string // long file name, else short file name, else display name
	MimeType  string // PidTagAttachMimeTag as the sender declared it
	ContentID string
	Data      []byte
	Embedded  *Msg // attach method 5: a message inside the message
}

// MsgLimits bound what ReadMsg does with one file. A zero field takes its
// default.
type MsgLimits struct {
	MaxFileBytes    int // the compound file itself (default 32 MiB)
	MaxReadBytes    int // bytes read out of all streams together (default 64 MiB)
	MaxStreamBytes  int // one property stream (default 25 MiB)
	MaxDepth        int // embedded messages inside embedded messages (default 8)
	MaxAttachments  int // per message (default 500)
	MaxRecipients   int // per message (default 1000)
	MaxDirEntries   int // directory entries looked at (default 100,000)
	MaxRTFBytes     int // decompressed RTF (default 4 MiB)
	MaxHeaderString int // transport headers (default 1 MiB)
}

func (l MsgLimits) withDefaults() MsgLimits {
	def := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	def(&l.MaxFileBytes, 32<<20)
	def(&l.MaxReadBytes, 64<<20)
	def(&l.MaxStreamBytes, 25<<20)
	def(&l.MaxDepth, 8)
	def(&l.MaxAttachments, 500)
	def(&l.MaxRecipients, 1000)
	def(&l.MaxDirEntries, 100_000)
	def(&l.MaxRTFBytes, 4<<20)
	def(&l.MaxHeaderString, 1<<20)
	return l
}

// oleSignature starts every compound file.
var oleSignature = []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}

// IsCompoundFile says whether data starts like an OLE compound file.
func IsCompoundFile(data []byte) bool { return bytes.HasPrefix(data, oleSignature) }

// ErrNotMsg is returned for data that is not a readable Outlook message.
var ErrNotMsg = errors.New("not an Outlook message")

// ReadMsg reads an Outlook .msg file within lim. A file damaged past some
// point gives what was read before it, with a note; one that cannot be
// opened at all is an error wrapping ErrNotMsg.
func ReadMsg(data []byte, lim MsgLimits) (m *Msg, err error) {
	lim = lim.withDefaults()
	if len(data) > lim.MaxFileBytes {
		return nil, fmt.Errorf("read .msg: %w: %d bytes, more than the %d allowed", ErrNotMsg, len(data), lim.MaxFileBytes)
	}
	if !IsCompoundFile(data) {
		return nil, fmt.Errorf("read .msg: %w: no compound file signature", ErrNotMsg)
	}
	defer func() {
		// The container library meets files built to break it; whatever
		// it does, one hostile attachment must not take the console down.
		if r := recover(); r != nil {
			m, err = nil, fmt.Errorf("read .msg: %w: compound file reader failed: %v", ErrNotMsg, r)
		}
	}()
	budget := &budgetReader{r: bytes.NewReader(data), left: int64(lim.MaxReadBytes) + int64(len(data)), calls: maxReads(len(data))}
	doc, err := mscfb.New(budget)
	if err != nil {
		return nil, fmt.Errorf("read .msg: %w: %w", ErrNotMsg, err)
	}
	root, notes := readTree(doc, budget, len(data), lim)
	m = decodeMessage(root, 0, lim)
	m.Notes = append(notes, m.Notes...)
	return m, nil
}

// budgetReader stops every read once the budget is spent, so no chain of
// sectors, however it loops or wanders, can make the container reader
// work for long: bytes are counted, and so are calls, since the reader
// follows chains four bytes (one FAT entry) at a time.
type budgetReader struct {
	r     io.ReaderAt
	left  int64
	calls int
}

// maxReads bounds the reads of a file of n bytes: a sound file needs
// about two per 64-byte mini sector (its FAT entry and its data) at
// most, plus the header, DIFAT and directory.
func maxReads(n int) int { return 4*(n/64) + 10_000 }

var errBudget = errors.New("read budget spent: the compound file's sector chains loop or are far too long")

func (b *budgetReader) ReadAt(p []byte, off int64) (int, error) {
	if b.left < int64(len(p)) || b.calls <= 0 {
		b.left, b.calls = 0, 0
		return 0, errBudget
	}
	b.left -= int64(len(p))
	b.calls--
	return b.r.ReadAt(p, off)
}

// storage is one storage of the compound file with the property streams
// it holds.
type storage struct {
	name     string
	streams  map[string][]byte
	children []*storage
	byName   map[string]*storage
}

func newStorage(name string) *storage {
	return &storage{name: name, streams: map[string][]byte{}, byName: map[string]*storage{}}
}

// readTree reads the directory into a tree of storages, reading only the
// streams MS-OXMSG defines, and only within the limits.
func readTree(doc *mscfb.Reader, budget *budgetReader, fileLen int, lim MsgLimits) (*storage, []string) {
	root := newStorage("")
	var notes []string
	note := func(format string, args ...any) {
		if len(notes) < 20 {
			notes = append(notes, fmt.Sprintf(format, args...))
		}
	}
	for i, f := range doc.File {
		if i >= lim.MaxDirEntries {
			note("more than %d directory entries; the rest were not read", lim.MaxDirEntries)
			break
		}
		if i == 0 || embedDepth(f.Path) > lim.MaxDepth {
			continue // the root entry, or a message nested too deep
		}
		parent := storageAt(root, f.Path)
		if parent == nil {
			continue
		}
		if f.FileInfo().IsDir() {
			addChild(parent, f.Name, lim)
			continue
		}
		if !isPropertyStream(f.Name) || parent.streams[f.Name] != nil {
			continue
		}
		data, err := readStream(f, min(lim.MaxStreamBytes, fileLen))
		if err != nil {
			if errors.Is(err, errBudget) || budget.left <= 0 {
				note("stopped reading: %v", errBudget)
				break
			}
			note("stream %q: %v", f.Name, err)
		}
		parent.streams[f.Name] = data
	}
	return root, notes
}

// storageAt finds the storage at path, or nil when it was left out.
func storageAt(root *storage, path []string) *storage {
	s := root
	for _, name := range path {
		next := s.byName[name]
		if next == nil {
			return nil
		}
		s = next
	}
	return s
}

// addChild adds a recipient, attachment or embedded-message storage, up
// to the limits; what is over a limit is left out (and so are its
// streams, which storageAt then does not find).
func addChild(parent *storage, name string, lim MsgLimits) {
	if parent.byName[name] != nil {
		return
	}
	kind := childKind(name)
	if kind == "" {
		return
	}
	n := 0
	for _, c := range parent.children {
		if childKind(c.name) == kind {
			n++
		}
	}
	if (kind == "attach" && n >= lim.MaxAttachments) || (kind == "recip" && n >= lim.MaxRecipients) {
		return
	}
	c := newStorage(name)
	parent.children = append(parent.children, c)
	parent.byName[name] = c
}

func childKind(name string) string {
	switch {
	case strings.HasPrefix(name, "__attach_version1.0_#"):
		return "attach"
	case strings.HasPrefix(name, "__recip_version1.0_#"):
		return "recip"
	case strings.EqualFold(name, embeddedStorage):
		return "embedded"
	}
	return ""
}

// embeddedStorage is an attachment's PidTagAttachDataObject storage: an
// embedded message.
const embeddedStorage = "__substg1.0_3701000D"

func embedDepth(path []string) int {
	n := 0
	for _, p := range path {
		if strings.EqualFold(p, embeddedStorage) {
			n++
		}
	}
	return n
}

func isPropertyStream(name string) bool {
	return strings.HasPrefix(name, "__substg1.0_") || name == "__properties_version1.0"
}

// readStream reads a stream, at most max bytes of it (a stream cannot
// be longer than the file that holds it, whatever its entry claims).
func readStream(f *mscfb.File, max int) ([]byte, error) {
	size := f.Size
	if size > int64(max) {
		size = int64(max)
	}
	if size <= 0 {
		return []byte{}, nil
	}
	buf := make([]byte, size)
	n, err := io.ReadFull(f, buf)
	if err != nil && n < len(buf) {
		return buf[:n], fmt.Errorf("read %d of %d bytes: %w", n, size, err)
	}
	return buf, nil
}
