package graph

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/mailtriage/mailtriage/backend/mail"
)

// A folder's UID map is kept in a journal file under the state directory,
// so that a later process (a restarted watch, an act after a pull) hands
// out the same UIDs and reports the same UIDVALIDITY. The file is
// append-only JSON lines, mode 0600:
//
//	{"folder":"<immutable id>","salt":"<hex>"}   header, first line
//	{"u":7,"id":"<message id>"}                   UID 7 is this message
//	{"gone":7}                                     UID 7 left the folder
//	{"next":9}                                     no UID below 9 is handed out again
//	{"delta":"<deltaLink>"}                        the folder as of this link
//
// Several processes may share it: every change takes an exclusive lock
// (on a lock file beside it, which is never replaced), first applies what
// others appended, then appends its own, so no UID is ever given to two
// messages. When the file has grown well past what it describes, it is
// rewritten as a snapshot (header, next, live UIDs, link) and renamed
// over the old one; a process that finds another file than it last read
// replays the new one from its start. UIDVALIDITY is derived from the
// folder's immutable id and the salt written when the journal was
// created: a folder deleted and created again has another id, and a lost
// journal gets another salt, so old UIDs are refused in both cases
// instead of being applied to other mail.

// journalEntry is one line of the journal.
type journalEntry struct {
	Folder string   `json:"folder,omitempty"`
	Salt   string   `json:"salt,omitempty"`
	UID    mail.UID `json:"u,omitempty"`
	ID     string   `json:"id,omitempty"`
	Gone   mail.UID `json:"gone,omitempty"`
	Next   mail.UID `json:"next,omitempty"`
	Delta  string   `json:"delta,omitempty"`
}

// maxJournalLine bounds one line read back (a delta link is the longest).
const maxJournalLine = 1 << 20

// compactAt is the size above which a journal that is mostly history is
// rewritten as a snapshot.
var compactAt int64 = 1 << 20

// journal is the file of one folder and how much of it was applied.
type journal struct {
	path    string
	applied int64       // bytes of the file applied
	lines   int         // entries in those bytes
	file    os.FileInfo // the file applied from, to notice a snapshot
}

// journalPath is where the map of folder id of mailbox lives.
func journalPath(dir, mailbox, folderID string) string {
	sum := sha256.Sum256([]byte(mailbox + "\x00" + folderID))
	return filepath.Join(dir, "graph", hex.EncodeToString(sum[:12])+".uids")
}

// lockedJournal is the journal file opened and locked for one change.
type lockedJournal struct {
	f     *os.File
	lock  *os.File
	j     *journal
	buf   bytes.Buffer
	torn  bool // the file ends in a line without its newline
	reset bool // the file was replaced: entries start from its beginning
}

// open locks the journal (creating it, and its header, if need be) and
// returns the entries appended since the last call; reset says they are
// the whole map again (the file was rewritten meanwhile).
func (j *journal) open(folderID string) (*lockedJournal, []journalEntry, error) {
	if err := os.MkdirAll(filepath.Dir(j.path), 0o700); err != nil {
		return nil, nil, fmt.Errorf("UID map: %w", err)
	}
	lock, err := os.OpenFile(j.path+".lock", os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, nil, fmt.Errorf("UID map: %w", err)
	}
	if err := lockFile(lock); err != nil {
		lock.Close()
		return nil, nil, fmt.Errorf("UID map: lock %s: %w", j.path, err)
	}
	lj := &lockedJournal{lock: lock, j: j}
	entries, err := lj.openFile(folderID)
	if err != nil {
		lj.close()
		return nil, nil, err
	}
	if len(entries) > 0 && entries[0].Salt != "" && entries[0].Folder != folderID {
		lj.close()
		return nil, nil, fmt.Errorf("UID map %s belongs to another folder", j.path)
	}
	return lj, entries, nil
}

func (lj *lockedJournal) openFile(folderID string) ([]journalEntry, error) {
	j := lj.j
	f, err := os.OpenFile(j.path, os.O_RDWR|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return nil, fmt.Errorf("UID map: %w", err)
	}
	lj.f = f
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("UID map: %w", err)
	}
	if j.file != nil && !os.SameFile(j.file, st) {
		j.applied, j.lines, lj.reset = 0, 0, true
	}
	j.file = st
	entries, err := lj.readNew()
	if err == nil && j.applied == 0 && len(entries) == 0 {
		var salt [8]byte
		_, _ = rand.Read(salt[:])
		header := journalEntry{Folder: folderID, Salt: hex.EncodeToString(salt[:])}
		// Not synced: a header lost in a crash costs a new salt, so
		// UIDs handed out before are refused, never misapplied; and
		// listing a mailbox's folders need not wait for a disk flush
		// per folder.
		if err = lj.append(header); err == nil {
			err = lj.write(false)
		}
		entries = []journalEntry{header}
	}
	return entries, err
}

// readNew reads the complete lines after what was applied. Appends are
// whole lines in one write, so only a crash mid-write leaves a line
// without its newline: it is not applied, and the next flush ends it
// first so that it stays one unreadable line, skipped.
func (lj *lockedJournal) readNew() ([]journalEntry, error) {
	if _, err := lj.f.Seek(lj.j.applied, io.SeekStart); err != nil {
		return nil, fmt.Errorf("UID map: %w", err)
	}
	r := bufio.NewReaderSize(lj.f, 64<<10)
	var out []journalEntry
	for {
		line, err := r.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			return out, fmt.Errorf("UID map %s: line longer than %d bytes", lj.j.path, maxJournalLine)
		}
		if err == io.EOF {
			lj.torn = len(line) > 0
			return out, nil
		}
		if err != nil {
			return out, fmt.Errorf("UID map: %w", err)
		}
		lj.j.applied += int64(len(line))
		lj.j.lines++
		var e journalEntry
		if json.Unmarshal(line, &e) != nil {
			continue // a line torn by a crash, followed by later appends
		}
		out = append(out, e)
	}
}

func (lj *lockedJournal) append(e journalEntry) error {
	b, err := json.Marshal(e)
	if err != nil {
		return err
	}
	lj.buf.Write(b)
	lj.buf.WriteByte('\n')
	lj.j.lines++
	return nil
}

// flush writes what was appended in one write and syncs it.
func (lj *lockedJournal) flush() error { return lj.write(true) }

func (lj *lockedJournal) write(sync bool) error {
	if lj.buf.Len() == 0 {
		return nil
	}
	data := lj.buf.Bytes()
	if lj.torn {
		data = append([]byte{'\n'}, data...)
	}
	_, err := lj.f.Write(data)
	lj.buf.Reset()
	if err == nil && sync {
		err = lj.f.Sync()
	}
	var end int64
	if err == nil {
		// Under the lock nobody else appends: all up to the end is ours
		// or applied already.
		end, err = lj.f.Seek(0, io.SeekEnd)
	}
	if err != nil {
		return fmt.Errorf("UID map: write %s: %w", lj.j.path, err)
	}
	lj.j.applied, lj.torn = end, false
	return nil
}

func (lj *lockedJournal) close() {
	if lj.f != nil {
		lj.f.Close()
	}
	_ = unlockFile(lj.lock)
	lj.lock.Close()
}

// compact rewrites the journal as snapshot (whole, in order) once it is
// large and holds four times the entries the snapshot would. The new file
// is synced and renamed over the old one while the lock is held.
func (lj *lockedJournal) compact(live int, snapshot func() []journalEntry) error {
	if lj.j.applied < compactAt || lj.j.lines < 4*(live+3) {
		return nil
	}
	var buf bytes.Buffer
	for _, e := range snapshot() {
		b, err := json.Marshal(e)
		if err != nil {
			return err
		}
		buf.Write(b)
		buf.WriteByte('\n')
	}
	dir := filepath.Dir(lj.j.path)
	tmp, err := os.CreateTemp(dir, ".uids-*")
	if err != nil {
		return fmt.Errorf("UID map: compact: %w", err)
	}
	defer os.Remove(tmp.Name())
	_, err = tmp.Write(buf.Bytes())
	if err == nil {
		err = tmp.Chmod(0o600)
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), lj.j.path)
	}
	var st os.FileInfo
	if err == nil {
		st, err = os.Stat(lj.j.path)
	}
	if err != nil {
		return fmt.Errorf("UID map: compact: %w", err)
	}
	lj.j.file, lj.j.applied, lj.j.lines = st, int64(buf.Len()), strings.Count(buf.String(), "\n")
	return nil
}

// validityOf derives UIDVALIDITY from a folder id and a salt; never 0.
func validityOf(salt []byte, folderID string) uint32 {
	sum := sha256.Sum256(append(append([]byte{}, salt...), folderID...))
	v := uint32(sum[0])<<24 | uint32(sum[1])<<16 | uint32(sum[2])<<8 | uint32(sum[3])
	if v == 0 {
		v = 1
	}
	return v
}

// cleanID keeps ids that can be written and read back safely; Graph's are
// base64-like, anything else is refused rather than stored.
func cleanID(id string) bool {
	return id != "" && len(id) <= 1024 && !strings.ContainsFunc(id, func(r rune) bool { return r < 0x21 || r == 0x7f })
}
