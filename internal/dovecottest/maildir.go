package dovecottest

import (
	"bufio"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf16"
)

// Message is one message for [Server.Deliver].
type Message struct {
	// Raw is the complete RFC 5322 message. CRLF line endings are
	// recommended: Dovecot then serves the bytes unchanged, so a FETCH of
	// BODY[] returns exactly Raw.
	Raw []byte
	// Flags are IMAP flags: the system flags \Seen \Flagged \Answered
	// \Deleted \Draft, and keywords such as $Junk or NonJunk (at most 26
	// distinct keywords per folder, a Maildir limit).
	Flags []string
	// InternalDate becomes the file's mtime, which Dovecot reports as
	// INTERNALDATE. Zero means now.
	InternalDate time.Time
}

// systemFlagInfo maps IMAP system flags to Maildir info letters.
var systemFlagInfo = map[string]byte{
	`\seen`:     'S',
	`\flagged`:  'F',
	`\answered`: 'R',
	`\deleted`:  'T',
	`\draft`:    'D',
}

// CreateFolder creates a folder (e.g. "Phishing reports",
// "Phishing reports/Confirmed", "Trash") in the user's Maildir, including
// missing parents. Names use "/" as the separator, as clients see them;
// on disk they follow Maildir++ (".Phishing reports.Confirmed", with
// non-ASCII names in modified UTF-7 as Dovecot stores them), so "." is not
// allowed in names. Creating an existing folder is not an error. New
// sessions see the folder at once; sessions already logged in see it when
// Dovecot next refreshes its mailbox list index (within about a second).
//
// Special-use attributes come from dovecot.conf, which is written at start
// (see [WithSpecialUse]); Dovecot advertises them in LIST as soon as the
// folder exists. specialUse is optional and only asserts that the server was
// configured with exactly these attributes for name, so a test that needs
// e.g. \Trash on "Deleted Items" fails loudly instead of silently seeing no
// attribute.
func (s *Server) CreateFolder(user, name string, specialUse ...string) error {
	if len(specialUse) > 0 {
		want := strings.Fields(strings.Join(specialUse, " "))
		have := strings.Fields(s.opts.specialUse[name])
		sort.Strings(want)
		sort.Strings(have)
		if strings.Join(want, " ") != strings.Join(have, " ") {
			return fmt.Errorf("dovecottest: folder %q is configured with special-use %q, not %q; pass WithSpecialUse(...) to Start", name, strings.Join(have, " "), strings.Join(want, " "))
		}
	}
	if err := checkUserName(user); err != nil {
		return err
	}
	// The root is INBOX, and Dovecot expects it to be a Maildir too.
	if err := s.ensureMaildir(s.Maildir(user)); err != nil {
		return err
	}
	if isInbox(name) {
		return nil
	}
	if err := checkFolderName(name); err != nil {
		return err
	}
	parts := strings.Split(name, "/")
	for i := range parts {
		// Parents must exist as real mailboxes too, or clients would see
		// them as \NonExistent placeholders.
		dir, err := s.folderDir(user, strings.Join(parts[:i+1], "/"))
		if err != nil {
			return err
		}
		if err := s.ensureMaildir(dir); err != nil {
			return err
		}
		mf := filepath.Join(dir, "maildirfolder")
		if _, err := os.Stat(mf); errors.Is(err, os.ErrNotExist) {
			if err := os.WriteFile(mf, nil, 0o600); err != nil {
				return err
			}
			if err := s.chown(mf); err != nil {
				return err
			}
		}
	}
	return nil
}

// deliverSeq numbers the Maildir files written by Deliver. It is
// process-wide, so names never collide even between two servers sharing a
// directory, and increasing, so Dovecot (which sorts new files by the
// number after "M") assigns UIDs in delivery order.
var deliverSeq atomic.Uint64

// Deliver writes raw messages straight into the user's Maildir folder
// (creating the user's Maildir and the folder if needed) as files in cur/
// with the given flags, each file's mtime set to its InternalDate. This is
// the fast path for seeding tens of thousands of messages without IMAP:
// Dovecot picks the files up on the next SELECT or NOOP (or IDLE). Like a
// real delivery agent it writes each file in tmp/ and renames it into cur/,
// so an open session never sees half a message. Files are named
// "<now>.M<seq>P<pid>.<host>,S=<size>:2,<info>" with an increasing seq, so
// Dovecot assigns UIDs in the order of msgs, also across calls.
// Folder "" or "INBOX" is the inbox.
func (s *Server) Deliver(user, folder string, msgs ...Message) error {
	if err := checkUserName(user); err != nil {
		return err
	}
	if err := s.CreateFolder(user, folder); err != nil {
		return err
	}
	dir, err := s.folderDir(user, folder)
	if err != nil {
		return err
	}
	if len(msgs) == 0 {
		return nil
	}
	infos, err := s.flagInfos(dir, msgs)
	if err != nil {
		return err
	}
	now := time.Now()
	secs := now.Unix()
	first := deliverSeq.Add(uint64(len(msgs))) - uint64(len(msgs))
	pid := os.Getpid()

	// The work is file system metadata, mostly serialized on the
	// directory lock; a few writers overlap the syscalls, more only contend.
	workers := min(runtime.GOMAXPROCS(0), 4, len(msgs))
	var (
		wg       sync.WaitGroup
		errOnce  sync.Once
		firstErr error
		next     = make(chan int, workers)
	)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				m := msgs[i]
				base := fmt.Sprintf("%d.M%dP%d.%s,S=%d", secs, first+uint64(i), pid, s.host, len(m.Raw))
				date := m.InternalDate
				if date.IsZero() {
					date = now
				}
				if err := s.writeMessage(dir, base, infos[i], m.Raw, date); err != nil {
					errOnce.Do(func() { firstErr = err })
				}
			}
		}()
	}
	for i := range msgs {
		next <- i
	}
	close(next)
	wg.Wait()
	return firstErr
}

// writeMessage follows the Maildir protocol (write in tmp/, rename into
// cur/) so a concurrently syncing Dovecot never sees a partial file.
func (s *Server) writeMessage(dir, base, info string, raw []byte, date time.Time) error {
	tmp := filepath.Join(dir, "tmp", base)
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	_, err = f.Write(raw)
	if err == nil && s.root {
		err = f.Chown(s.mailUID, s.mailGID)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chtimes(tmp, date, date)
	}
	if err == nil {
		err = os.Rename(tmp, filepath.Join(dir, "cur", base+":2,"+info))
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("dovecottest: deliver: %w", err)
	}
	return nil
}

// flagInfos translates each message's flags into the Maildir info suffix,
// registering keywords in the folder's dovecot-keywords file (keyword n is
// letter 'a'+n).
func (s *Server) flagInfos(dir string, msgs []Message) ([]string, error) {
	infos := make([]string, len(msgs))
	var kwIndex map[string]int
	s.mu.Lock()
	defer s.mu.Unlock()
	cache := map[string]string{} // flag set → info, most messages share a few sets
	for i, m := range msgs {
		key := strings.Join(m.Flags, " ")
		if info, ok := cache[key]; ok {
			infos[i] = info
			continue
		}
		var letters []byte
		for _, fl := range m.Flags {
			if c, ok := systemFlagInfo[strings.ToLower(fl)]; ok {
				letters = append(letters, c)
				continue
			}
			if strings.HasPrefix(fl, `\`) {
				return nil, fmt.Errorf("dovecottest: flag %q cannot be stored in a Maildir (system flags: \\Seen \\Flagged \\Answered \\Deleted \\Draft)", fl)
			}
			if fl == "" || strings.ContainsAny(fl, " ()]{%*\"\\\r\n") {
				return nil, fmt.Errorf("dovecottest: invalid keyword %q", fl)
			}
			if kwIndex == nil {
				var err error
				if kwIndex, err = s.loadKeywords(dir); err != nil {
					return nil, err
				}
			}
			idx, ok := kwIndex[fl]
			if !ok {
				idx = len(kwIndex)
				if idx >= 26 {
					return nil, fmt.Errorf("dovecottest: too many keywords in %s (Maildir allows 26)", dir)
				}
				kwIndex[fl] = idx
				if err := s.saveKeywords(dir, kwIndex); err != nil {
					return nil, err
				}
			}
			letters = append(letters, byte('a'+idx))
		}
		sort.Slice(letters, func(a, b int) bool { return letters[a] < letters[b] })
		// Drop duplicates: Maildir info letters appear once each.
		out := letters[:0]
		for j, c := range letters {
			if j == 0 || c != letters[j-1] {
				out = append(out, c)
			}
		}
		cache[key] = string(out)
		infos[i] = string(out)
	}
	return infos, nil
}

// loadKeywords reads Dovecot's "dovecot-keywords" file ("<index> <name>"
// per line), which maps Maildir info letters a..z to keywords.
func (s *Server) loadKeywords(dir string) (map[string]int, error) {
	m := map[string]int{}
	f, err := os.Open(filepath.Join(dir, "dovecot-keywords"))
	if errors.Is(err, os.ErrNotExist) {
		return m, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		idx, name, ok := strings.Cut(sc.Text(), " ")
		n, err := strconv.Atoi(idx)
		if !ok || err != nil || n < 0 || n >= 26 {
			continue
		}
		m[name] = n
	}
	return m, sc.Err()
}

func (s *Server) saveKeywords(dir string, m map[string]int) error {
	byIdx := make([]string, 0, len(m))
	for name := range m {
		byIdx = append(byIdx, name)
	}
	sort.Slice(byIdx, func(a, b int) bool { return m[byIdx[a]] < m[byIdx[b]] })
	var b strings.Builder
	for _, name := range byIdx {
		fmt.Fprintf(&b, "%d %s\n", m[name], name)
	}
	path := filepath.Join(dir, "dovecot-keywords")
	tmp := path + ".dovecottest"
	if err := os.WriteFile(tmp, []byte(b.String()), 0o600); err != nil {
		return err
	}
	if err := s.chown(tmp); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// ensureMaildir creates dir with cur/, new/ and tmp/, owned by the mail
// user.
func (s *Server) ensureMaildir(dir string) error {
	for _, sub := range []string{"cur", "new", "tmp"} {
		if err := s.mkdirOwned(filepath.Join(dir, sub)); err != nil {
			return err
		}
	}
	return nil
}

// folderDir maps a folder name as clients see it to its Maildir++
// directory: "INBOX" is the Maildir root, "a/b" is ".a.b", with each name
// encoded in modified UTF-7 like Dovecot does without the UTF8 option.
func (s *Server) folderDir(user, name string) (string, error) {
	if err := checkUserName(user); err != nil {
		return "", err
	}
	if isInbox(name) {
		return s.Maildir(user), nil
	}
	if err := checkFolderName(name); err != nil {
		return "", err
	}
	parts := strings.Split(name, "/")
	for i, p := range parts {
		parts[i] = encodeMUTF7(p)
	}
	return filepath.Join(s.Maildir(user), "."+strings.Join(parts, ".")), nil
}

func isInbox(name string) bool {
	return name == "" || strings.EqualFold(name, "INBOX")
}

func checkFolderName(name string) error {
	if name == "" {
		return errors.New("dovecottest: empty folder name")
	}
	for _, p := range strings.Split(name, "/") {
		if p == "" {
			return fmt.Errorf("dovecottest: folder name %q has an empty level", name)
		}
	}
	if strings.Contains(name, ".") {
		return fmt.Errorf("dovecottest: folder name %q contains '.', the Maildir++ on-disk separator", name)
	}
	for _, r := range name {
		if r < 0x20 || r == 0x7f {
			return fmt.Errorf("dovecottest: folder name %q contains a control character", name)
		}
	}
	return nil
}

// mutf7Encoding is the RFC 3501 modified base64 alphabet ("," for "/").
var mutf7Encoding = base64.NewEncoding("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,").WithPadding(base64.NoPadding)

// encodeMUTF7 encodes s in IMAP modified UTF-7 (RFC 3501 5.1.3), the form
// in which Dovecot 2.3 stores Maildir++ folder names.
func encodeMUTF7(s string) string {
	var b strings.Builder
	var pending []rune
	flush := func() {
		if len(pending) == 0 {
			return
		}
		u := utf16.Encode(pending)
		buf := make([]byte, 0, 2*len(u))
		for _, c := range u {
			buf = append(buf, byte(c>>8), byte(c))
		}
		b.WriteByte('&')
		b.WriteString(mutf7Encoding.EncodeToString(buf))
		b.WriteByte('-')
		pending = pending[:0]
	}
	for _, r := range s {
		if r >= 0x20 && r <= 0x7e {
			flush()
			if r == '&' {
				b.WriteString("&-")
			} else {
				b.WriteRune(r)
			}
			continue
		}
		pending = append(pending, r)
	}
	flush()
	return b.String()
}

// maildirHost returns the host part of Maildir file names, with "/" and
// ":" escaped as the Maildir specification requires.
func maildirHost() string {
	h, err := os.Hostname()
	if err != nil || h == "" {
		h = "localhost"
	}
	h = strings.ReplaceAll(h, "/", `\057`)
	h = strings.ReplaceAll(h, ":", `\072`)
	h = strings.ReplaceAll(h, ",", `\054`)
	return h
}

// SetACL gives the owner of folder exactly rights (Dovecot ACL letters,
// e.g. "lrsitpe": everything but "w", writing flags and keywords) by
// writing the folder's dovecot-acl file. The server must have been
// started WithACL; the folder must exist. Set it before the client logs
// in: Dovecot reads ACLs when it opens a folder.
func (s *Server) SetACL(user, folder, rights string) error {
	if !s.opts.acl {
		return errors.New("dovecottest: SetACL needs a server started WithACL")
	}
	if strings.ContainsAny(rights, " \r\n") {
		return fmt.Errorf("dovecottest: rights %q: ACL letters only", rights)
	}
	dir, err := s.folderDir(user, folder)
	if err != nil {
		return err
	}
	path := filepath.Join(dir, "dovecot-acl")
	if err := os.WriteFile(path, []byte("owner "+rights+"\n"), 0o600); err != nil {
		return fmt.Errorf("dovecottest: set ACL of %s: %w", folder, err)
	}
	return s.chown(path)
}
