package pull

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mailtriage/mailtriage/backend/evidence"
	"github.com/mailtriage/mailtriage/backend/mail"
	mtimap "github.com/mailtriage/mailtriage/backend/mail/imap"
	"github.com/mailtriage/mailtriage/internal/dovecottest"
)

// startBox starts Dovecot with user u and returns a mailbox on it.
func startBox(t *testing.T) (*dovecottest.Server, *mtimap.Mailbox) {
	t.Helper()
	srv := dovecottest.Start(t)
	if err := srv.AddUser("u", "pw"); err != nil {
		t.Fatal(err)
	}
	box := mtimap.New(mtimap.Config{Addr: srv.Addr, TLS: mtimap.TLSNone, Username: "u", Password: func(context.Context) (string, error) { return "pw", nil }})
	t.Cleanup(func() { box.Close() })
	return srv, box
}

// pullRecords runs Pull and decodes the JSON lines.
func pullRecords(t *testing.T, box mail.Mailbox, opts Options) []Record {
	t.Helper()
	opts.Format = "jsonl"
	if opts.Account == "" {
		opts.Account = "a"
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	var out bytes.Buffer
	if _, err := Pull(ctx, box, opts, &out); err != nil {
		t.Fatalf("pull: %v", err)
	}
	var recs []Record
	sc := bufio.NewScanner(&out)
	sc.Buffer(nil, 16<<20)
	for sc.Scan() {
		var r Record
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatalf("record %d: %v", len(recs), err)
		}
		recs = append(recs, r)
	}
	return recs
}

func simple(subject, from string, date time.Time) []byte {
	return fmt.Appendf(nil, "From: %s\r\nTo: soc@example.com\r\nSubject: %s\r\nMessage-ID: <%s@example.com>\r\nDate: %s\r\n\r\nbody of %s\r\n",
		from, subject, strings.ReplaceAll(subject, " ", "."), date.Format(time.RFC1123Z), subject)
}

const withAttachments = "From: payroll@evil.example\r\nTo: ap@example.com\r\nSubject: Invoice with files\r\nMessage-ID: <files@evil.example>\r\n" +
	"MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b1\r\n\r\n" +
	"--b1\r\nContent-Type: text/plain\r\n\r\nsee attached\r\n" +
	"--b1\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename=\"../../../etc/cron.d/evil.pdf\"\r\nContent-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQKJSBwcm9iZQo=\r\n" +
	"--b1\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; filename=\"run me.\u202egpj.exe\"\r\nContent-Transfer-Encoding: base64\r\n\r\nTVqQAAMAAAAEAAAA//8AAA==\r\n" +
	"--b1--\r\n"

// Categories, --save-email and --attachments-dir: the record carries the
// decoded keywords, the whole message in base64, and the attachments as
// private files under names of our own making, byte for byte.
func TestRecordExtras(t *testing.T) {
	srv, box := startBox(t)
	kw, err := mail.EncodeKeyword("Phish – confirmed")
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Deliver("u", "INBOX", dovecottest.Message{Raw: []byte(withAttachments), Flags: []string{kw, "Escalated"}}); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	recs := pullRecords(t, box, Options{Folders: []string{"INBOX"}, SaveEmail: true, AttachmentsDir: dir})
	if len(recs) != 1 {
		t.Fatalf("%d records", len(recs))
	}
	r := recs[0]
	if strings.Join(r.Categories, "|") != "Phish – confirmed|Escalated" && strings.Join(r.Categories, "|") != "Escalated|Phish – confirmed" {
		t.Fatalf("categories %q", r.Categories)
	}
	eml, err := base64.StdEncoding.DecodeString(r.EmailAsAttachment)
	if err != nil || !bytes.Equal(eml, []byte(withAttachments)) {
		t.Fatalf("email_as_attachment: %v, %d bytes", err, len(eml))
	}
	want := [][]byte{[]byte("%PDF-1.4\n% probe\n"), {0x4d, 0x5a, 0x90, 0, 3, 0, 0, 0, 4, 0, 0, 0, 0xff, 0xff, 0, 0}}
	if len(r.AttachmentFiles) != len(want) {
		t.Fatalf("attachment_files %q", r.AttachmentFiles)
	}
	for i, path := range r.AttachmentFiles {
		if filepath.Dir(path) != dir || strings.Contains(filepath.Base(path), "evil") || strings.Contains(path, "\u202e") {
			t.Errorf("file %q is not a name of our own making in %s", path, dir)
		}
		if r.Attachments[i].File != path {
			t.Errorf("attachment %d file %q, listed %q", i, r.Attachments[i].File, path)
		}
		st, err := os.Lstat(path)
		if err != nil || st.Mode().Perm() != 0o600 || !st.Mode().IsRegular() {
			t.Fatalf("%s: %v %v", path, st.Mode(), err)
		}
		data, _ := os.ReadFile(path)
		if sha256.Sum256(data) != sha256.Sum256(want[i]) {
			t.Errorf("%s: %d bytes differ", path, len(data))
		}
	}
	// The real extension (the RLO only makes "exe" look like "jpg").
	if filepath.Ext(r.AttachmentFiles[0]) != ".pdf" || filepath.Ext(r.AttachmentFiles[1]) != ".exe" {
		t.Errorf("extensions: %q", r.AttachmentFiles)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 2 {
		t.Fatalf("%d files in the directory (temporaries left?)", len(entries))
	}
	// Without the options nothing is written and the fields stay empty.
	plain := pullRecords(t, box, Options{Folders: []string{"INBOX"}})
	if len(plain) != 1 || plain[0].EmailAsAttachment != "" || len(plain[0].AttachmentFiles) != 0 || plain[0].Attachments[0].File != "" {
		t.Fatalf("fields filled without asking: %+v", plain[0].AttachmentFiles)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 2 {
		t.Fatal("a pull without --attachments-dir wrote files")
	}
}

// A planted symlink where an attachment file goes is replaced, never
// followed.
func TestAttachmentFileReplacesSymlink(t *testing.T) {
	srv, box := startBox(t)
	if err := srv.Deliver("u", "INBOX", dovecottest.Message{Raw: []byte(withAttachments)}); err != nil {
		t.Fatal(err)
	}
	dir, victim := t.TempDir(), filepath.Join(t.TempDir(), "victim")
	if err := os.WriteFile(victim, []byte("keep"), 0o600); err != nil {
		t.Fatal(err)
	}
	first := pullRecords(t, box, Options{Folders: []string{"INBOX"}, AttachmentsDir: dir})
	path := first[0].AttachmentFiles[0]
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(victim, path); err != nil {
		t.Fatal(err)
	}
	pullRecords(t, box, Options{Folders: []string{"INBOX"}, AttachmentsDir: dir})
	if data, _ := os.ReadFile(victim); string(data) != "keep" {
		t.Fatalf("the symlink was followed: victim holds %q", data)
	}
	if st, err := os.Lstat(path); err != nil || !st.Mode().IsRegular() {
		t.Fatalf("%s is not a regular file: %v", path, err)
	}
}

// --search narrows with the console's language; --unread and --since
// still apply on top.
func TestPullSearch(t *testing.T) {
	srv, box := startBox(t)
	now := time.Date(2026, 12, 6, 9, 0, 0, 0, time.UTC)
	msgs := []dovecottest.Message{
		{Raw: simple("Invoice overdue", "billing@evil.example", now), InternalDate: now},
		{Raw: simple("Lunch", "colleague@example.com", now), InternalDate: now},
		{Raw: simple("Invoice paid", "billing@evil.example", now), InternalDate: now, Flags: []string{`\Seen`}},
	}
	if err := srv.Deliver("u", "INBOX", msgs...); err != nil {
		t.Fatal(err)
	}
	q, err := mail.ParseQuery("from:evil.example subject:invoice")
	if err != nil {
		t.Fatal(err)
	}
	subjects := func(recs []Record) string {
		var out []string
		for _, r := range recs {
			out = append(out, r.Alert.Name)
		}
		return strings.Join(out, "|")
	}
	if got := subjects(pullRecords(t, box, Options{Folders: []string{"INBOX"}, Query: q})); got != "Invoice paid|Invoice overdue" {
		t.Fatalf("search: %q", got)
	}
	if got := subjects(pullRecords(t, box, Options{Folders: []string{"INBOX"}, Query: q, Unread: true})); got != "Invoice overdue" {
		t.Fatalf("search + unread: %q", got)
	}
}

// --all-folders --limit N: the N newest by arrival across folders, not
// the first folders' messages; newest first, or oldest first when asked.
func TestLimitTakesNewestAcrossFolders(t *testing.T) {
	srv, box := startBox(t)
	spillDir := t.TempDir()
	t.Setenv("TMPDIR", spillDir)
	base := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	// Folder A holds old mail, B the newest, C interleaves.
	deliver := func(folder string, hours ...int) {
		for _, h := range hours {
			at := base.Add(time.Duration(h) * time.Hour)
			if err := srv.Deliver("u", folder, dovecottest.Message{Raw: simple(fmt.Sprintf("%s %03d", folder, h), "x@example.com", at), InternalDate: at}); err != nil {
				t.Fatal(err)
			}
		}
	}
	deliver("A", 1, 2, 3, 4, 5)
	deliver("B", 100, 101, 102)
	deliver("C", 6, 50, 103)
	folders := []string{"A", "B", "C"}
	names := func(recs []Record) string {
		var out []string
		for _, r := range recs {
			out = append(out, r.Alert.Name)
		}
		return strings.Join(out, "|")
	}
	if got := names(pullRecords(t, box, Options{Folders: folders, Limit: 4})); got != "C 103|B 102|B 101|B 100" {
		t.Fatalf("newest 4: %q", got)
	}
	if got := names(pullRecords(t, box, Options{Folders: folders, Limit: 3, OldestFirst: true})); got != "A 001|A 002|A 003" {
		t.Fatalf("oldest 3: %q", got)
	}
	// C, B, C: interleaved, so written through the spill file.
	if got := names(pullRecords(t, box, Options{Folders: folders, Limit: 5})); got != "C 103|B 102|B 101|B 100|C 050" {
		t.Fatalf("newest 5: %q", got)
	}
	if got := names(pullRecords(t, box, Options{Folders: folders, Limit: 7})); got != "C 103|B 102|B 101|B 100|C 050|C 006|A 005" {
		t.Fatalf("newest 7: %q", got)
	}
	if left, _ := os.ReadDir(spillDir); len(left) != 0 {
		t.Fatalf("spill files left behind: %v", left)
	}
	// Marking read hears each folder's share.
	marked := map[string]int{}
	opts := Options{Folders: folders, Limit: 5, Written: func(_ context.Context, ref mail.FolderRef, uids []mail.UID) error {
		marked[ref.Name] += len(uids)
		return nil
	}}
	pullRecords(t, box, opts)
	if marked["B"] != 3 || marked["C"] != 2 || marked["A"] != 0 {
		t.Fatalf("written per folder %v", marked)
	}
}

// A message cut at the size limit is not attached cut off, nor are its
// attachments written: the record says why.
func TestSaveEmailRefusesACutMessage(t *testing.T) {
	r := Record{Export: &evidence.Export{Attachments: []evidence.ExportAttachment{{}}}}
	raw := []byte(withAttachments)[:len(withAttachments)/2]
	dir := t.TempDir()
	err := extras(&r, mail.ParseMessage(raw), &mail.RawMessage{Raw: raw, Size: int64(len(withAttachments)), Truncated: true},
		Options{SaveEmail: true, AttachmentsDir: dir})
	if err != nil || r.EmailAsAttachment != "" || len(r.AttachmentFiles) != 0 || len(r.Capped) != 2 ||
		r.Capped[0].What != "email_as_attachment" || r.Capped[1].What != "attachment_files" {
		t.Fatalf("%v %+v", err, r.Capped)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Fatalf("a cut message's attachments were written: %v", entries)
	}
}

// Records longer than the reader's buffer are indexed whole.
func TestIndexSpillLongLines(t *testing.T) {
	f, err := os.CreateTemp(t.TempDir(), "spill")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	lines := []string{"short", strings.Repeat("x", 700<<10), "", "end"}
	for _, l := range lines {
		fmt.Fprintf(f, "%s\n", l)
	}
	order := []spillKey{{0, 1}, {1, 2}, {0, 3}, {1, 4}}
	index, err := indexSpill(f, order)
	if err != nil {
		t.Fatal(err)
	}
	for i, k := range order {
		buf := make([]byte, index[k].n)
		if _, err := f.ReadAt(buf, index[k].off); err != nil || string(buf) != lines[i] {
			t.Fatalf("line %d: %d bytes, %v", i, len(buf), err)
		}
	}
}
