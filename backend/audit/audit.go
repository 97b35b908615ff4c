// Package audit is the remediation audit trail: one JSON object per line,
// appended and fsync'd before the call returns, so that a crash right
// after a remediation cannot lose its record. Every remediation writes an
// "intent" record before it touches the server and a "result" record
// after; a lone intent tells a reader that the outcome is unknown.
//
// Records carry who, where, what and the target ids, never credentials.
package audit

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/mailtriage/mailtriage/backend/safejson"
)

// Phases of a remediation.
const (
	PhaseIntent = "intent"
	PhaseResult = "result"
)

// Record is one line of the audit log.
type Record struct {
	Time  time.Time `json:"time"`
	ID    string    `json:"id"` // shared by an intent and its result
	Phase string    `json:"phase"`
	// Operator is who acted: the OS user for the console, the SSH user
	// and key fingerprint when served over SSH.
	Operator    string   `json:"operator"`
	Via         string   `json:"via,omitempty"` // console, ssh, cli
	Remote      string   `json:"remote,omitempty"`
	Account     string   `json:"account"`
	Action      string   `json:"action"`
	Folder      string   `json:"folder,omitempty"`
	UIDValidity uint32   `json:"uidvalidity,omitempty"`
	Dest        string   `json:"dest,omitempty"`
	Detail      string   `json:"detail,omitempty"` // e.g. the flags changed
	UIDs        []uint32 `json:"uids,omitempty"`
	MessageIDs  []string `json:"message_ids,omitempty"`
	// Result fields.
	Result  string `json:"result,omitempty"` // ok, partial, failed
	Done    int    `json:"done,omitempty"`
	NotDone int    `json:"not_done,omitempty"`
	Error   string `json:"error,omitempty"`
}

// Log appends records to one file. It is safe for concurrent use, also
// by several processes: every record is written with a single O_APPEND
// write.
type Log struct {
	path string
	mu   sync.Mutex
	f    *os.File
	now  func() time.Time
	seq  uint64
}

// DefaultPath is $XDG_STATE_HOME/mailtriage/audit.jsonl, or
// ~/.local/state/mailtriage/audit.jsonl.
func DefaultPath() (string, error) {
	if d := os.Getenv("XDG_STATE_HOME"); d != "" {
		return filepath.Join(d, "mailtriage", "audit.jsonl"), nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("audit log: no home directory: %w", err)
	}
	return filepath.Join(home, ".local", "state", "mailtriage", "audit.jsonl"), nil
}

// Open opens (creating, mode 0600, in a 0700 directory) the log at path.
func Open(path string) (*Log, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("audit log: %w", err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("audit log: %w", err)
	}
	if err := endLine(path, f); err != nil {
		f.Close()
		return nil, err
	}
	return &Log{path: path, f: f, now: time.Now}, nil
}

// endLine terminates a torn last line (a crash mid-write), so the next
// record starts on a line of its own and stays readable.
func endLine(path string, f *os.File) error {
	r, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("audit log: %w", err)
	}
	defer r.Close()
	fi, err := r.Stat()
	if err != nil || fi.Size() == 0 {
		return err
	}
	last := make([]byte, 1)
	if _, err := r.ReadAt(last, fi.Size()-1); err != nil {
		return fmt.Errorf("audit log: %w", err)
	}
	if last[0] != '\n' {
		_, err = f.Write([]byte{'\n'})
	}
	return err
}

// Path is where the log is written.
func (l *Log) Path() string { return l.path }

// NewID returns an id for an intent/result pair, unique within this log
// across processes (time plus pid plus a counter).
func (l *Log) NewID() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.seq++
	return fmt.Sprintf("%x-%x-%d", l.now().UnixNano(), os.Getpid(), l.seq)
}

// Write appends r (stamping its time) and syncs it to disk.
func (l *Log) Write(r Record) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if r.Time.IsZero() {
		r.Time = l.now().UTC()
	}
	line, err := safejson.Marshal(r) // the log is read on terminals too
	if err != nil {
		return fmt.Errorf("audit log: %w", err)
	}
	line = append(line, '\n')
	if _, err := l.f.Write(line); err != nil {
		return fmt.Errorf("audit log %s: %w", l.path, err)
	}
	if err := l.f.Sync(); err != nil {
		return fmt.Errorf("audit log %s: %w", l.path, err)
	}
	return nil
}

// Close closes the file.
func (l *Log) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.f.Close()
}

// maxTail bounds how much of the file Recent reads.
const maxTail = 8 << 20

// Recent returns up to n of the newest records, newest first. Lines that
// do not parse (a torn write, hand edits) are skipped.
func (l *Log) Recent(n int) ([]Record, error) {
	f, err := os.Open(l.path)
	if err != nil {
		return nil, fmt.Errorf("audit log: %w", err)
	}
	defer f.Close()
	size, err := f.Seek(0, io.SeekEnd)
	if err != nil {
		return nil, err
	}
	start := max(size-maxTail, 0)
	if _, err := f.Seek(start, io.SeekStart); err != nil {
		return nil, err
	}
	data, err := io.ReadAll(f)
	if err != nil {
		return nil, err
	}
	if start > 0 {
		// Drop the partial first line.
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			data = data[i+1:]
		}
	}
	var all []Record
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 64<<10), maxTail)
	for sc.Scan() {
		var r Record
		if json.Unmarshal(sc.Bytes(), &r) == nil {
			all = append(all, r)
		}
	}
	if err := sc.Err(); err != nil && !errors.Is(err, bufio.ErrTooLong) {
		return nil, err
	}
	out := make([]Record, 0, min(n, len(all)))
	for i := len(all) - 1; i >= 0 && len(out) < n; i-- {
		out = append(out, all[i])
	}
	return out, nil
}
