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
//	{"folder":"<immutable id>","salt":"<hex>"}   header, written once
//	{"u":7,"id":"<message id>"}                   UID 7 is this message
//	{"gone":7}                                     UID 7 left the folder
//	{"delta":"<deltaLink>"}                        the folder as of this link
//
// Several processes may share it: every change takes an exclusive lock
// on the file, first applies what others appended, then appends its own,
// so no UID is ever given to two messages. UIDVALIDITY is derived from
// the folder's immutable id and the salt written when the journal was
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
	Delta  string   `json:"delta,omitempty"`
}

// maxJournalLine bounds one line read back (a delta link is the longest).
const maxJournalLine = 1 << 20

// journal is the file of one folder and how much of it was applied.
type journal struct {
	path    string
	applied int64
}

// journalPath is where the map of folder id of mailbox lives.
func journalPath(dir, mailbox, folderID string) string {
	sum := sha256.Sum256([]byte(mailbox + "\x00" + folderID))
	return filepath.Join(dir, "graph", hex.EncodeToString(sum[:12])+".uids")
}

// lockedJournal is the journal file opened and locked for one change.
type lockedJournal struct {
	f    *os.File
	j    *journal
	buf  bytes.Buffer
	torn bool // the file ends in a line without its newline
}

// open locks the journal (creating it, and its header, if need be) and
// returns the entries appended since the last call.
func (j *journal) open(folderID string) (*lockedJournal, []journalEntry, error) {
	if err := os.MkdirAll(filepath.Dir(j.path), 0o700); err != nil {
		return nil, nil, fmt.Errorf("UID map: %w", err)
	}
	f, err := os.OpenFile(j.path, os.O_RDWR|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return nil, nil, fmt.Errorf("UID map: %w", err)
	}
	if err := lockFile(f); err != nil {
		f.Close()
		return nil, nil, fmt.Errorf("UID map: lock %s: %w", j.path, err)
	}
	lj := &lockedJournal{f: f, j: j}
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
	_ = unlockFile(lj.f)
	lj.f.Close()
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
