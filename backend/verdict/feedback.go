package verdict

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"mime"
	"mime/quotedprintable"
	netmail "net/mail"
	"regexp"
	"strings"
	"time"

	"github.com/mailtriage/mailtriage/backend/action"
	"github.com/mailtriage/mailtriage/backend/analysis"
	"github.com/mailtriage/mailtriage/backend/audit"
	"github.com/mailtriage/mailtriage/backend/mail"
	"github.com/mailtriage/mailtriage/backend/remediate"
	"github.com/mailtriage/mailtriage/backend/report"
	"github.com/mailtriage/mailtriage/backend/reported"
)

// Fields are what a feedback template can use. Everything that comes
// from the phish is defanged (links, domains and addresses cannot be
// clicked) and cut to one line.
type Fields struct {
	ReporterName string // the reporter's display name (defanged too: anyone can send a "report"), else their address's local part
	Subject      string // the original's subject, defanged
	Sender       string // the original's sender, defanged
	Verdict      string
	CaseSize     int // how many reports the case holds
	Reporters    int // how many distinct colleagues reported it
	Analyst      string
}

// sampleFields render every template once when the configuration loads.
var sampleFields = Fields{ReporterName: "Dana", Subject: "Password expiry", Sender: "it-support[@]example[.]com", Verdict: "phishing", CaseSize: 3, Reporters: 2, Analyst: "soc"}

// DefaultSubject is the reply's subject unless a verdict sets its own.
const DefaultSubject = `Your report: {{.Subject}}`

// defaultBodies are the replies shipped for the default verdicts.
var defaultBodies = map[string]string{
	"phishing": `Hello {{.ReporterName}},

thank you for reporting "{{.Subject}}" from {{.Sender}}.
We checked it: it is a phishing message, and we are dealing with it{{if gt .Reporters 1}} ({{.Reporters}} colleagues reported it){{end}}.
Do not open its links or attachments. If you already did, or typed a
password after opening it, call the service desk now.

{{.Analyst}}, Security Operations
`,
	"spam": `Hello {{.ReporterName}},

thank you for reporting "{{.Subject}}" from {{.Sender}}.
We checked it: it is unwanted advertising (spam), not an attack.
You can delete it.

{{.Analyst}}, Security Operations
`,
	"clean": `Hello {{.ReporterName}},

thank you for reporting "{{.Subject}}" from {{.Sender}}.
We checked it: it is a legitimate message and safe to act on.
Reporting when in doubt was the right thing to do.

{{.Analyst}}, Security Operations
`,
	"simulation": `Hello {{.ReporterName}},

well spotted: "{{.Subject}}" was part of a phishing simulation.
Reporting it was exactly right. You can delete it.

{{.Analyst}}, Security Operations
`,
}

const genericBody = `Hello {{.ReporterName}},

thank you for reporting "{{.Subject}}" from {{.Sender}}.
We checked it; our verdict: {{.Verdict}}.

{{.Analyst}}, Security Operations
`

// DefaultBody is the shipped reply for a verdict name (a generic one for
// names without their own).
func DefaultBody(name string) string {
	if b, ok := defaultBodies[name]; ok {
		return b
	}
	return genericBody
}

// Reply is one message to one reporter.
type Reply struct {
	To      mail.Address
	From    string
	Subject string
	Body    string
	// Reports are this reporter's reports in the case.
	Reports []mail.UID
	// Raw is the message as it will be sent.
	Raw []byte
}

// Skip is a reporter who gets no reply, and why.
type Skip struct {
	Address string
	Why     string
}

// Preview is the replies a verdict would send.
type Preview struct {
	Case    Case
	Verdict string
	Replies []Reply
	Skipped []Skip
}

// Question is the confirm line.
func (p Preview) Question() string {
	n := len(p.Replies)
	if n == 0 {
		return fmt.Sprintf("No reporter to answer about this case (%d skipped).", len(p.Skipped))
	}
	if n == 1 {
		return fmt.Sprintf("Send the %s reply to %s?", p.Verdict, p.Replies[0].To.Addr)
	}
	return fmt.Sprintf("Send the %s reply to %d reporters?", p.Verdict, n)
}

// Sender submits one message (an account's SMTP settings, or Graph
// sendMail).
type Sender interface {
	SendMail(ctx context.Context, from string, to []string, msg []byte) error
}

// MIMESender is a mailbox that sends messages itself: a Graph account
// (sendMail). The recipients are the message's own To.
type MIMESender interface {
	SendMIME(ctx context.Context, msg []byte) error
}

type mailboxSender struct{ box MIMESender }

func (s mailboxSender) SendMail(ctx context.Context, _ string, _ []string, msg []byte) error {
	return s.box.SendMIME(ctx, msg)
}

// SenderFor is how an account's replies go: through the mailbox itself
// when it sends (Graph sendMail), else over the account's SMTP server
// (smtp nil: not configured).
func SenderFor(box mail.Mailbox, smtp *report.Server) (Sender, error) {
	if ms, ok := mail.As[MIMESender](box); ok {
		return mailboxSender{ms}, nil
	}
	if smtp == nil {
		return nil, errors.New("replies cannot be sent from this account: set smtp (and report_from) for it")
	}
	return SMTP(*smtp), nil
}

// SMTP sends over an SMTP submission server (the account's smtp
// settings).
type SMTP report.Server

// SendMail submits msg.
func (s SMTP) SendMail(ctx context.Context, from string, to []string, msg []byte) error {
	return report.Send(ctx, report.Server(s), from, to, msg)
}

// Compose is who the replies come from.
type Compose struct {
	From    string    // the SOC's address (the account's report_from)
	Analyst string    // signs the reply
	Now     time.Time // the Date of the replies (zero: now)
}

// Prepare renders one reply per distinct reporter of the case (after a
// verdict: Result.After). Reporters already answered for this case — a
// report of theirs carries FeedbackKeyword, or the audit log of l holds a
// reply sent — feedback loops (ARF) and the sending address itself are
// skipped, with the reason.
func Prepare(l *action.Layer, c Case, v Verdict, cm Compose) (Preview, error) {
	pv := Preview{Case: c, Verdict: v.Name}
	if err := plainAddress(cm.From); err != nil {
		return pv, fmt.Errorf("feedback sender: %w (set report_from for this account)", err)
	}
	if cm.Now.IsZero() {
		cm.Now = time.Now()
	}
	answered := answeredInAudit(l, c.Key)
	reporters := byReporter(c)
	for _, g := range reporters {
		if why := skipReason(g, cm.From, answered); why != "" {
			pv.Skipped = append(pv.Skipped, Skip{Address: g.addr, Why: why})
			continue
		}
		r, err := render(c, v, cm, g, len(reporters))
		if err != nil {
			return pv, err
		}
		pv.Replies = append(pv.Replies, r)
	}
	return pv, nil
}

// reporter is one reporter's reports in a case.
type reporter struct {
	addr, name string
	reports    []Report
}

// byReporter groups the reports by reporter address (case-insensitive),
// in the order of their first report.
func byReporter(c Case) []reporter {
	var out []reporter
	idx := map[string]int{}
	for _, r := range c.Reports {
		key := strings.ToLower(strings.TrimSpace(r.ReporterAddress))
		i, ok := idx[key]
		if !ok {
			i = len(out)
			idx[key] = i
			out = append(out, reporter{addr: strings.TrimSpace(r.ReporterAddress), name: r.ReporterName})
		}
		out[i].reports = append(out[i].reports, r)
	}
	return out
}

func skipReason(g reporter, from string, answered map[string]bool) string {
	switch {
	case plainAddress(g.addr) != nil:
		return "no usable reply address"
	case strings.EqualFold(g.addr, from):
		return "the report came from the sending address itself"
	case answered[strings.ToLower(g.addr)]:
		return "already answered for this case (audit log)"
	}
	for _, r := range g.reports {
		if r.Kind == reported.KindARF {
			return "a feedback-loop (ARF) report: no person to answer"
		}
		for _, kw := range r.Keywords {
			if mail.SameKeyword(kw, FeedbackKeyword) {
				return "already answered for this case"
			}
		}
	}
	return ""
}

// render builds one reply.
func render(c Case, v Verdict, cm Compose, g reporter, reporters int) (Reply, error) {
	f := Fields{
		ReporterName: defangText(oneLine(g.name, 80)),
		Subject:      defangText(oneLine(c.Original.Subject, 200)),
		Sender:       defangText(oneLine(c.Original.From, 200)),
		Verdict:      v.Name,
		CaseSize:     len(c.Reports),
		Reporters:    reporters,
		Analyst:      oneLine(cm.Analyst, 80),
	}
	if f.ReporterName == "" {
		f.ReporterName, _, _ = strings.Cut(g.addr, "@")
	}
	var subject, body strings.Builder
	if err := v.Subject.Execute(&subject, f); err != nil {
		return Reply{}, fmt.Errorf("verdict %s: feedback_subject: %w", v.Name, err)
	}
	if err := v.Body.Execute(&body, f); err != nil {
		return Reply{}, fmt.Errorf("verdict %s: feedback: %w", v.Name, err)
	}
	r := Reply{To: mail.Address{Name: f.ReporterName, Addr: g.addr}, From: cm.From, Subject: oneLine(subject.String(), 250), Body: body.String()}
	for _, rp := range g.reports {
		r.Reports = append(r.Reports, rp.UID)
	}
	r.Raw = compose(r, g.reports[0].MessageID, cm.Now)
	return r, nil
}

// compose writes the reply as a text/plain message that threads on the
// reporter's report.
func compose(r Reply, inReplyTo string, now time.Time) []byte {
	var b bytes.Buffer
	h := func(k, v string) { fmt.Fprintf(&b, "%s: %s\r\n", k, v) }
	h("From", r.From)
	h("To", (&netmail.Address{Name: r.To.Name, Address: r.To.Addr}).String())
	h("Subject", mime.QEncoding.Encode("utf-8", r.Subject))
	h("Date", now.Format(time.RFC1123Z))
	h("Message-ID", "<"+token()+"@mailtriage>")
	if inReplyTo != "" {
		h("In-Reply-To", inReplyTo)
		h("References", inReplyTo)
	}
	h("Auto-Submitted", "auto-replied")
	h("MIME-Version", "1.0")
	h("Content-Type", "text/plain; charset=utf-8")
	h("Content-Transfer-Encoding", "quoted-printable")
	b.WriteString("\r\n")
	w := quotedprintable.NewWriter(&b)
	_, _ = w.Write([]byte(strings.ReplaceAll(strings.ReplaceAll(r.Body, "\r\n", "\n"), "\n", "\r\n")))
	_ = w.Close()
	return b.Bytes()
}

func token() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// Sent is the outcome of Send.
type Sent struct {
	To []string // addresses answered
	// Unmarked are addresses answered whose reports could not be marked
	// FeedbackKeyword (the audit log still remembers them).
	Unmarked []string
}

// Send sends each reply of p, one audited change (remediate.FeedbackSend)
// per reply, and marks the reporter's reports FeedbackKeyword so that no
// analyst answers them twice. It stops at the first reply that fails.
func Send(ctx context.Context, l *action.Layer, p Preview, s Sender) (Sent, error) {
	var out Sent
	c := p.Case
	answered := answeredInAudit(l, c.Key)
	for _, r := range p.Replies {
		if answered[strings.ToLower(r.To.Addr)] {
			continue // sent meanwhile, from another session
		}
		t := action.Target{Account: c.Account, Box: c.Box, Folder: c.Folder, UIDs: r.Reports}
		ch := action.Change{Name: remediate.FeedbackSend, Target: t, Detail: feedbackDetail(c.Key, p.Verdict, r.To.Addr)}
		err := l.Run(ctx, ch, func(ctx context.Context) error { return s.SendMail(ctx, r.From, []string{r.To.Addr}, r.Raw) })
		if err != nil {
			return out, fmt.Errorf("reply to %s: %w", r.To.Addr, err)
		}
		out.To = append(out.To, r.To.Addr)
		answered[strings.ToLower(r.To.Addr)] = true
		if _, err := c.Box.Store(ctx, c.Folder, r.Reports, mail.FlagChange{Add: []string{FeedbackKeyword}}); err != nil {
			out.Unmarked = append(out.Unmarked, r.To.Addr)
		}
	}
	return out, nil
}

// Summary words the outcome for the status bar.
func (s Sent) Summary() string {
	msg := fmt.Sprintf("sent %d replies", len(s.To))
	if len(s.To) == 1 {
		msg = "sent 1 reply"
	}
	if len(s.Unmarked) > 0 {
		msg += fmt.Sprintf("; %d could not be marked on the server (the audit log remembers them)", len(s.Unmarked))
	}
	return msg
}

// feedbackDetail is the audit detail of one reply; answeredInAudit reads
// it back.
func feedbackDetail(caseKey, verdict, to string) string {
	return fmt.Sprintf("case %s verdict %s reply to %s", caseKey, verdict, strings.ToLower(to))
}

// auditWindow is how many recent audit records the duplicate check reads.
const auditWindow = 20000

// answeredInAudit lists the reporters (lower-case) that the audit log of
// l records a successful reply to for the case: the memory of servers
// that cannot store FeedbackKeyword.
func answeredInAudit(l *action.Layer, caseKey string) map[string]bool {
	out := map[string]bool{}
	if l == nil || l.Remedy == nil || l.Remedy.Audit == nil {
		return out
	}
	recs, err := l.Remedy.Audit.Recent(auditWindow)
	if err != nil {
		return out
	}
	ok := map[string]bool{}
	for _, r := range recs {
		if r.Phase == audit.PhaseResult && r.Result == "ok" {
			ok[r.ID] = true
		}
	}
	prefix := "case " + caseKey + " verdict "
	for _, r := range recs {
		if r.Phase != audit.PhaseIntent || r.Action != string(remediate.FeedbackSend) || !ok[r.ID] || !strings.HasPrefix(r.Detail, prefix) {
			continue
		}
		if _, to, found := strings.Cut(r.Detail, " reply to "); found {
			out[to] = true
		}
	}
	return out
}

// plainAddress checks that a is one bare address that can go on an SMTP
// envelope.
func plainAddress(a string) error {
	if a == "" || strings.ContainsAny(a, "\r\n<>, \t") || strings.Count(a, "@") != 1 || strings.HasPrefix(a, "@") || strings.HasSuffix(a, "@") {
		return fmt.Errorf("%q is not a plain email address", a)
	}
	return nil
}

// oneLine flattens untrusted text to one line of at most max runes:
// control characters (CR and LF included) become spaces.
func oneLine(s string, max int) string {
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || r >= 0x80 && r < 0xa0 || r == '\u2028' || r == '\u2029' {
			return ' '
		}
		return r
	}, s)
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > max {
		s = string(r[:max-1]) + "…"
	}
	return s
}

// linkish finds what a mail client would turn into a link: URLs (any
// scheme://), addresses, and host names with a letter TLD.
var linkish = regexp.MustCompile(`(?i)[a-z][a-z0-9+.-]*://[^\s<>"]+|[^\s<>"@]+@[^\s<>"@]+|(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z][a-z0-9-]*[a-z0-9]`)

// defangText defangs every link, address and host name in s, so that
// nothing from the phish is clickable in the reply.
func defangText(s string) string {
	return linkish.ReplaceAllStringFunc(s, analysis.Defang)
}
