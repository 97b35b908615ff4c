package mailbox

import (
	"context"
	"fmt"
	"strings"

	tea "charm.land/bubbletea/v2"

	"github.com/mailtriage/mailtriage/backend/action"
	"github.com/mailtriage/mailtriage/backend/analysis"
	"github.com/mailtriage/mailtriage/backend/jobs"
	"github.com/mailtriage/mailtriage/backend/mail"
	"github.com/mailtriage/mailtriage/backend/reported"
	"github.com/mailtriage/mailtriage/ui/common"
)

// A triage folder holds mostly reports. The list shows a report as the
// phish it carries — the original's date, sender and subject — with who
// reported it in a column of its own ("+N" when N more reports carry the
// same original). The listing knows an attached message's envelope from
// BODYSTRUCTURE; a .msg, an ARF report or an inline forward is read in
// the background, a few at a time, only for rows that were loaded. R
// shows the folder as received.

// reportReadBatch is how many possible reports one background job reads.
const reportReadBatch = 24

// shown is the envelope a row shows: a report's original (with the
// report's UID, flags and size) unless the raw view is on.
func (m *Model) shown(e *mail.Envelope) *mail.Envelope {
	if m.rawView || e.Report == nil || e.Report.Original == nil {
		return e
	}
	o := *e.Report.Original
	o.UID, o.Flags, o.Size, o.Received, o.Attachments, o.Report = e.UID, e.Flags, e.Size, e.Received, e.Attachments, e.Report
	return &o
}

// reporterText is the Reported by cell of a report row: the reporter,
// and how many more reports of the same original the list holds.
func (m *Model) reporterText(e *mail.Envelope) analysis.Text {
	if e.Report == nil || e.Report.Original == nil {
		return analysis.Plain("")
	}
	t := senderText(e)
	if n := m.caseSize(e); n > 1 {
		t = analysis.Concat(t, analysis.Plain(fmt.Sprintf(" +%d", n-1)))
	}
	return t
}

// caseSize is how many reports of e's case the list holds (0 for a row
// that is no report with a known original): what its "+N" says. The
// case counted for the row is used while the row is the envelope counted.
func (m *Model) caseSize(e *mail.Envelope) int {
	if e.Report == nil || e.Report.Original == nil {
		return 0
	}
	f := m.open
	if c, ok := f.counted[e.UID]; ok && c.env == e {
		return f.cases[c.key]
	}
	return f.cases[caseOf(e)]
}

// caseOf keys a report by its original (the Message-ID, else the
// original's sender and subject): reports of one phish share it.
func caseOf(e *mail.Envelope) string {
	o := e.Report.Original
	if id := strings.Trim(strings.TrimSpace(o.MessageID), "<>"); id != "" {
		return "mid:" + strings.ToLower(id)
	}
	from := ""
	if len(o.From) > 0 {
		from = strings.ToLower(o.From[0].Addr)
	}
	return "env:" + from + "\x00" + analysis.NormalizeSubject(o.Subject, false)
}

// reportsAmong recounts the reports when envelopes that arrived hold one
// (or when the folder has reports whose rows were just replaced): a folder
// without reports costs nothing per page of envelopes.
func (m *Model) reportsAmong(envs []mail.Envelope) tea.Cmd {
	if f := m.open; f != nil && f.reports > 0 {
		return m.noteReports()
	}
	for i := range envs {
		if envs[i].Report != nil {
			return m.noteReports()
		}
	}
	return nil
}

// noteReports brings the open folder's report and case counts up to date
// after rows arrived or changed, and starts reading the rows that must be
// read to know. Only rows whose envelope changed since they were last
// counted are looked at again (f.counted). A rendered row knows the count
// its "+N" was drawn with (see row); all are dropped when the Reported by
// column comes or goes.
func (m *Model) noteReports() tea.Cmd {
	f := m.open
	if f == nil {
		return nil
	}
	if f.counted == nil {
		f.counted, f.cases = map[mail.UID]countedRow{}, map[string]int{}
	}
	hadReports := f.reports > 0
	var unread []mail.UID
	for uid, e := range f.env {
		e = m.settleReport(uid, e)
		if c, ok := f.counted[uid]; !ok || c.env != e {
			f.recount(uid, e)
		}
		if e != nil && e.Report != nil && e.Report.Original == nil && e.Report.NeedsBody && !f.reading[uid] {
			unread = append(unread, uid)
		}
	}
	for uid := range f.counted {
		if _, ok := f.env[uid]; !ok {
			f.uncount(uid)
		}
	}
	if hadReports != (f.reports > 0) {
		m.rows = rowCache{} // the columns changed
	}
	if len(unread) == 0 || f.readingJobs > 0 || m.hidden {
		return nil // hidden: Focus reads them when the list is shown again
	}
	if len(unread) > reportReadBatch {
		unread = unread[:reportReadBatch]
	}
	return m.readReports(unread)
}

// countedRow is what noteReports last counted of a row: its envelope and
// its case ("" when it is no report with a known original).
type countedRow struct {
	env *mail.Envelope
	key string
}

// settleReport settles a row whose listing hint says its body must be
// read, when it was read before (a reload brings the hint again): from
// what the body said. It returns the row's envelope, replaced if settled.
func (m *Model) settleReport(uid mail.UID, e *mail.Envelope) *mail.Envelope {
	f := m.open
	if e == nil || e.Report == nil || !e.Report.NeedsBody {
		return e
	}
	orig, known := f.recognised[uid]
	if !known {
		return e
	}
	cp := *e
	cp.Report = nil
	if orig != nil {
		cp.Report = &mail.ReportHint{Original: orig}
	}
	f.env[uid] = &cp
	return &cp
}

// recount counts row uid, now e, in place of what it was counted as.
func (f *folder) recount(uid mail.UID, e *mail.Envelope) {
	f.uncount(uid)
	key := ""
	if e != nil && e.Report != nil && e.Report.Original != nil {
		key = caseOf(e)
		f.reports++
		f.cases[key]++
	}
	f.counted[uid] = countedRow{env: e, key: key}
}

// uncount takes row uid out of the counts.
func (f *folder) uncount(uid mail.UID) {
	c, ok := f.counted[uid]
	if !ok {
		return
	}
	delete(f.counted, uid)
	if c.key == "" {
		return
	}
	f.reports--
	if f.cases[c.key]--; f.cases[c.key] == 0 {
		delete(f.cases, c.key)
	}
}

// reportsReadMsg carries what reading possible reports found: the
// original's envelope of each that is one, nil for those that are not.
type reportsReadMsg struct {
	account string
	ticket  common.Ticket
	found   map[mail.UID]*mail.Envelope
	err     error
}

// readReports reads uids in the background and recognises reports (with
// the row fetches: see requests.rows).
func (m *Model) readReports(uids []mail.UID) tea.Cmd {
	f, acct := m.open, m.acct
	for _, uid := range uids {
		f.reading[uid] = true
	}
	f.readingJobs++
	ref := f.ref
	spec := jobs.Spec{Name: fmt.Sprintf("read %d possible reports in %s", len(uids), ref.Name), Account: acct.Name, Quiet: true}
	return common.RequestIn(m.c.Common, &m.req.rows, spec,
		func(ctx context.Context, _ *jobs.Progress) (map[mail.UID]*mail.Envelope, error) {
			found := make(map[mail.UID]*mail.Envelope, len(uids))
			err := acct.Mailbox.FetchMany(ctx, ref, uids, acct.MessageLimit, func(raw *mail.RawMessage) error {
				found[raw.UID] = nil
				if orig, _, ok := originalIn(raw, mail.Envelope{UID: raw.UID}); ok {
					found[raw.UID] = &orig
				}
				return nil
			})
			return found, err
		},
		func(t common.Ticket, found map[mail.UID]*mail.Envelope, err error) tea.Msg {
			return reportsReadMsg{account: acct.Name, ticket: t, found: found, err: err}
		})
}

// reportsRead puts what was found into the rows: a new envelope for each
// (so the row is drawn again), a report hint settled either way.
func (m *Model) reportsRead(msg reportsReadMsg) tea.Cmd {
	f := m.open
	if !msg.ticket.Current() || f == nil {
		return nil
	}
	f.readingJobs--
	for uid, orig := range msg.found {
		delete(f.reading, uid)
		f.recognised[uid] = orig
		e := f.env[uid]
		if e == nil || e.Report == nil {
			continue
		}
		cp := *e
		if orig == nil {
			cp.Report = nil // read, and no report after all
		} else {
			cp.Report = &mail.ReportHint{Original: orig}
		}
		f.env[uid] = &cp
	}
	if msg.err != nil {
		// Rows that could not be read stay as they came; say so once.
		return tea.Batch(common.Error(fmt.Errorf("reading reports: %w", msg.err)), m.noteReports())
	}
	return m.noteReports()
}

// toggleRawView switches between reports shown as their originals and
// the folder as received.
func (m *Model) toggleRawView() tea.Cmd {
	m.rawView = !m.rawView
	m.rows = rowCache{}
	if m.rawView {
		return common.Info("the folder as received: reports show their reporter and subject (R: the reported originals)")
	}
	return common.Info("reports show the phish they carry, with who reported it (R: the folder as received)")
}

// ReportsSettled reports that no loaded row waits to be read to tell
// whether it is a report.
func (m *Model) ReportsSettled() bool {
	f := m.open
	if f == nil || f.readingJobs > 0 {
		return false
	}
	for _, e := range f.env {
		if e != nil && e.Report != nil && e.Report.NeedsBody {
			return false
		}
	}
	return true
}

// wholeCases widens a target of reports to every report of the same
// phish the list holds: what the analyst does to one report of a case
// covers them all, and the question says so ("3 reports of one phish").
func (m *Model) wholeCases(t action.Target) action.Target {
	f := m.open
	cases := map[string]bool{}
	for _, uid := range t.UIDs {
		if e := f.env[uid]; e != nil && e.Report != nil && e.Report.Original != nil {
			cases[caseOf(e)] = true
		}
	}
	if len(cases) == 0 {
		return t
	}
	in := make(map[mail.UID]bool, len(t.UIDs))
	for _, uid := range t.UIDs {
		in[uid] = true
	}
	for uid, e := range f.env {
		if e != nil && !in[uid] && e.Report != nil && e.Report.Original != nil && cases[caseOf(e)] {
			in[uid] = true
			t.Grown = true
		}
	}
	if t.Grown {
		t.UIDs = t.UIDs[:0:0]
		for _, uid := range f.uids { // in list order, ascending
			if in[uid] {
				t.UIDs = append(t.UIDs, uid)
			}
		}
	}
	if len(cases) == len(t.UIDs) && !t.Grown {
		return t // one report of each: nothing to add to the wording
	}
	t.Cases = len(cases)
	return t
}

// originalIn reads raw as a report: its reported original's envelope (on
// base: the report's UID, flags and size) and who reported it; ok is false
// for a message that is no report.
func originalIn(raw *mail.RawMessage, base mail.Envelope) (orig mail.Envelope, reporter string, ok bool) {
	r, ok := reported.Recognize(raw.Raw)
	if !ok || len(r.Originals) == 0 {
		return base, "", false
	}
	return r.Originals[0].Envelope(base), r.ReporterAddress, true
}
