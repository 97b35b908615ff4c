package verdict

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/mailtriage/mailtriage/backend/action"
	"github.com/mailtriage/mailtriage/backend/mail"
	"github.com/mailtriage/mailtriage/backend/reported"
)

// Report is one report of a case, as found in its folder.
type Report struct {
	UID             mail.UID
	ReporterName    string // untrusted: sanitize before display
	ReporterAddress string
	Kind            reported.Kind
	// MessageID is the report's own Message-ID (replies thread on it).
	MessageID string
	// Keywords are the report's keywords when it was read.
	Keywords []string
}

// Original is what the console and the feedback need of the reported
// original. Every string is untrusted.
type Original struct {
	Subject       string
	From          string // the original's sender, as written
	MessageID     string // without <>; "" when it has none
	Reconstructed bool
}

// Case is the reports of one original in one folder.
type Case struct {
	// Key is reported.Report.CaseKey: "mid:…" or "body:…".
	Key      string
	Account  string
	Box      mail.Mailbox
	Folder   mail.FolderRef
	Reports  []Report // ascending UID
	Original Original
}

// UIDs are the reports' UIDs.
func (c Case) UIDs() []mail.UID {
	out := make([]mail.UID, len(c.Reports))
	for i, r := range c.Reports {
		out[i] = r.UID
	}
	return out
}

// Target is every report of the case, for the action layer.
func (c Case) Target() action.Target {
	t := action.Target{Account: c.Account, Box: c.Box, Folder: c.Folder, UIDs: c.UIDs()}
	if len(c.Reports) == 1 {
		t.Subject = c.Original.Subject
	}
	return t
}

// Question words the case for a confirm line: "3 reports of one phish in
// Phishing reports".
func (c Case) Question() string {
	n := len(c.Reports)
	if n == 1 {
		return "1 report in " + c.Folder.Name
	}
	return fmt.Sprintf("%d reports of one phish in %s", n, c.Folder.Name)
}

// Verdict is the verdict of set the case's reports carry ("" when none
// does; the first found when they disagree).
func (c Case) Verdict(set Set) string {
	for _, r := range c.Reports {
		if v := set.Of(r.Keywords); v != "" {
			return v
		}
	}
	return ""
}

// Options bound reading reports. A zero field takes its default.
type Options struct {
	// MaxBytes is read of each report (default 25 MiB, recognition's
	// own cap).
	MaxBytes int64
	// Batch is how many reports one FetchMany reads (default 4): memory
	// holds at most one batch of whole messages (Batch × MaxBytes).
	Batch int
	// MaxMessages is how many messages of a folder Cases reads at most
	// (default 2000, the newest); MaxCandidates how many search hits
	// FindCase confirms (default 200).
	MaxMessages   int
	MaxCandidates int
	// SearchDays bounds FindCase's search of bodies to messages that
	// arrived this many days either side of the report (default 30; -1:
	// the whole folder). Without a full-text index a server reads every
	// body it searches, which is slow in a big folder; reports of one
	// phish arrive within days, and the subject search (not bounded)
	// still finds late ones whose subject quotes the original's.
	SearchDays int
}

func (o Options) withDefaults() Options {
	if o.MaxBytes <= 0 {
		o.MaxBytes = 25 << 20
	}
	if o.Batch <= 0 {
		o.Batch = 4
	}
	if o.MaxMessages <= 0 {
		o.MaxMessages = 2000
	}
	if o.MaxCandidates <= 0 {
		o.MaxCandidates = 200
	}
	if o.SearchDays == 0 {
		o.SearchDays = 30
	}
	return o
}

// Scan is the outcome of grouping a folder's reports.
type Scan struct {
	Cases []Case // in the order of their first report's UID
	// NotReports are the messages read that are not reports.
	NotReports []mail.UID
	// Skipped counts messages left unread because of MaxMessages (the
	// oldest ones).
	Skipped int
}

// CaseOf is the case that holds the report uid, if any.
func (s Scan) CaseOf(uid mail.UID) (Case, bool) {
	for _, c := range s.Cases {
		for _, r := range c.Reports {
			if r.UID == uid {
				return c, true
			}
		}
	}
	return Case{}, false
}

// Cases reads the given reports of folder (all of it when uids is nil),
// a batch at a time, recognises them and groups them into cases. UIDs
// are taken at folder.UIDValidity: when it is not zero and the folder
// has been recreated since, nothing is read (mail.ErrUIDValidityChanged).
func Cases(ctx context.Context, account string, box mail.Mailbox, folder mail.FolderRef, uids []mail.UID, opt Options) (Scan, error) {
	opt = opt.withDefaults()
	ref, uids, err := scope(ctx, box, folder, uids)
	if err != nil {
		return Scan{}, err
	}
	uids = slices.Clone(uids)
	slices.Sort(uids)
	var scan Scan
	if len(uids) > opt.MaxMessages {
		scan.Skipped = len(uids) - opt.MaxMessages
		uids = uids[scan.Skipped:]
	}
	byKey := map[string]int{}
	err = read(ctx, box, ref, uids, opt, func(m *mail.RawMessage, rec recognised) {
		if !rec.ok {
			scan.NotReports = append(scan.NotReports, m.UID)
			return
		}
		key := rec.report.CaseKey
		i, seen := byKey[key]
		if !seen {
			i = len(scan.Cases)
			byKey[key] = i
			scan.Cases = append(scan.Cases, newCase(account, box, ref, rec.report))
		}
		scan.Cases[i].Reports = append(scan.Cases[i].Reports, reportOf(m, rec))
	})
	return scan, err
}

// FindCase reads the report uid and finds the other reports of its case
// in the same folder. The server narrows the candidates — a TEXT search
// for the original's Message-ID (an attached .eml carries it in the
// report's body) and a SUBJECT search for the original's subject (the
// report's own subject usually quotes it; this finds .msg and inline
// reports, whose id is not searchable) — and every candidate is read and
// recognised: a search hit alone is never taken as a report of the case.
func FindCase(ctx context.Context, account string, box mail.Mailbox, ref mail.FolderRef, uid mail.UID, opt Options) (Case, error) {
	opt = opt.withDefaults()
	first, err := box.Fetch(ctx, ref, uid, opt.MaxBytes)
	if err != nil {
		return Case{}, fmt.Errorf("read report %d in %s: %w", uid, ref.Name, err)
	}
	rec := recognise(first, opt)
	if !rec.ok {
		return Case{}, fmt.Errorf("message %d in %s is not a report: %w", uid, ref.Name, ErrNotReport)
	}
	c := newCase(account, box, ref, rec.report)
	c.Reports = []Report{reportOf(first, rec)}
	candidates, err := candidates(ctx, box, ref, c.Original, bodyWindow(first.Received, opt.SearchDays))
	if err != nil {
		return c, err
	}
	candidates = slices.DeleteFunc(candidates, func(u mail.UID) bool { return u == uid })
	if len(candidates) > opt.MaxCandidates {
		candidates = candidates[len(candidates)-opt.MaxCandidates:]
	}
	err = read(ctx, box, ref, candidates, opt, func(m *mail.RawMessage, other recognised) {
		if other.ok && other.report.CaseKey == c.Key {
			c.Reports = append(c.Reports, reportOf(m, other))
		}
	})
	slices.SortFunc(c.Reports, func(a, b Report) int { return cmp.Compare(a.UID, b.UID) })
	return c, err
}

// ErrNotReport is returned by FindCase for a message that is not a
// report.
var ErrNotReport = errors.New("no reported original found in it")

// window is an arrival-date range for a search (zero: unbounded).
type window struct{ since, before time.Time }

// bodyWindow is days either side of arrived (unbounded when days < 0 or
// the arrival is unknown).
func bodyWindow(arrived time.Time, days int) window {
	if days < 0 || arrived.IsZero() {
		return window{}
	}
	d := time.Duration(days) * 24 * time.Hour
	return window{since: arrived.Add(-d), before: arrived.Add(d + 24*time.Hour)}
}

// candidates asks the server which messages may report o: those whose
// text holds the original's Message-ID (arrived within w) and those
// whose subject holds the original's subject.
func candidates(ctx context.Context, box mail.Mailbox, ref mail.FolderRef, o Original, w window) ([]mail.UID, error) {
	var queries []mail.Query
	if o.MessageID != "" {
		queries = append(queries, mail.Query{Terms: []mail.Term{{Field: mail.FieldText, Value: o.MessageID}}, Since: w.since, Before: w.before})
	}
	if subject := searchableSubject(o.Subject); subject != "" {
		queries = append(queries, mail.Query{Terms: []mail.Term{{Field: mail.FieldSubject, Value: subject}}})
	}
	var out []mail.UID
	for _, q := range queries {
		got, uids, err := box.Search(ctx, ref.Name, q)
		if err != nil {
			return nil, fmt.Errorf("search %s for other reports: %w", ref.Name, err)
		}
		if got.UIDValidity != ref.UIDValidity {
			return nil, fmt.Errorf("search %s: %w", ref.Name, mail.ErrUIDValidityChanged)
		}
		out = append(out, uids...)
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}

// searchableSubject is the part of a subject worth a SUBJECT search:
// trimmed, one line, at most 200 bytes; "" when it is too short to
// narrow anything.
func searchableSubject(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 200 {
		s = strings.ToValidUTF8(s[:200], "")
	}
	if len([]rune(s)) < 8 {
		return ""
	}
	return s
}

// scope is what Cases reads: the given UIDs at the given UIDVALIDITY as
// they are (every fetch checks it), else the folder as listed now.
func scope(ctx context.Context, box mail.Mailbox, folder mail.FolderRef, uids []mail.UID) (mail.FolderRef, []mail.UID, error) {
	if uids != nil && folder.UIDValidity != 0 {
		return folder, uids, nil
	}
	l, err := box.List(ctx, folder.Name, 0)
	if err != nil {
		return mail.FolderRef{}, nil, fmt.Errorf("open %s: %w", folder.Name, err)
	}
	if folder.UIDValidity != 0 && l.Folder.UIDValidity != folder.UIDValidity {
		return mail.FolderRef{}, nil, fmt.Errorf("%s: %w", folder.Name, mail.ErrUIDValidityChanged)
	}
	if uids == nil {
		uids = l.UIDs
	}
	return l.Folder, uids, nil
}

// read fetches uids a batch at a time and hands each message, recognised,
// to fn.
func read(ctx context.Context, box mail.Mailbox, ref mail.FolderRef, uids []mail.UID, opt Options, fn func(*mail.RawMessage, recognised)) error {
	for start := 0; start < len(uids); start += opt.Batch {
		part := uids[start:min(start+opt.Batch, len(uids))]
		err := box.FetchMany(ctx, ref, part, opt.MaxBytes, func(m *mail.RawMessage) error {
			fn(m, recognise(m, opt))
			return nil
		})
		if err != nil {
			return fmt.Errorf("read reports in %s: %w", ref.Name, err)
		}
	}
	return nil
}

// recognised is a message read and recognised.
type recognised struct {
	report reported.Report
	ok     bool
	// ownID is the message's own Message-ID, with its brackets.
	ownID string
}

// recognise parses m once, for recognition and for its own Message-ID.
func recognise(m *mail.RawMessage, opt Options) recognised {
	p := mail.ParseMessage(m.Raw)
	r, ok := reported.RecognizeLimited(m.Raw, p, reported.Limits{MaxBytes: int(opt.MaxBytes)})
	return recognised{report: r, ok: ok, ownID: headerMessageID(p)}
}

func newCase(account string, box mail.Mailbox, ref mail.FolderRef, r reported.Report) Case {
	o := Original{Reconstructed: r.Reconstructed}
	if p := r.Primary().Parsed; p != nil {
		o.Subject, o.From = p.Subject, p.From
	}
	if id, ok := strings.CutPrefix(r.CaseKey, "mid:"); ok {
		o.MessageID = id
	}
	return Case{Key: r.CaseKey, Account: account, Box: box, Folder: ref, Original: o}
}

func reportOf(m *mail.RawMessage, rec recognised) Report {
	r := rec.report
	return Report{
		UID: m.UID, ReporterName: r.ReporterName, ReporterAddress: r.ReporterAddress, Kind: r.Kind,
		MessageID: rec.ownID, Keywords: m.Flags.Keywords,
	}
}

// headerMessageID is the Message-ID of a message's own header, with its
// brackets, or "".
func headerMessageID(p *mail.Parsed) string {
	for _, f := range p.Header {
		if strings.EqualFold(f.Name, "Message-ID") {
			id := strings.TrimSpace(f.Value)
			if strings.ContainsAny(id, " \t\r\n") || len(id) > 998 {
				return ""
			}
			return id
		}
	}
	return ""
}
