package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/mailtriage/mailtriage/backend/action"
	"github.com/mailtriage/mailtriage/backend/analysis"
	"github.com/mailtriage/mailtriage/backend/compose"
	"github.com/mailtriage/mailtriage/backend/mail"
)

// maxSendBytes caps what send reads for one message: the body and every
// attachment together (before encoding), within what mail servers
// commonly accept once base64 has grown it by a third.
const maxSendBytes = 25 << 20

// sendResult is what `send` prints after sending.
type sendResult struct {
	Account     string                   `json:"account"`
	MessageID   string                   `json:"message_id"`
	Via         string                   `json:"via"` // smtp or graph
	Recipients  []string                 `json:"recipients"`
	Attachments []compose.AttachmentInfo `json:"attachments"`
	Status      string                   `json:"status"`
}

// sendFlags are send's arguments.
type sendFlags struct {
	to, cc, bcc             listFlag
	attach                  repeatFlag
	attachMsg               listFlag
	subject, body, bodyFile string
	folder                  string
	html, dry               bool
}

func runSend(ctx context.Context, args []string, cfgPath, account string, stdout, stderr io.Writer) int {
	fs, cfgFlag, acctFlag := newHeadless("send",
		"mailtriage send --to ADDR ... [--cc ADDR ...] [--bcc ADDR ...] --subject S (--body TEXT | --body-file F) [--html]\n"+
			"                       [--attach FILE ...] [--attach-message UID ... [--folder F]] [--dry-run]",
		"Send a message from the account, audited: over its smtp server, or Graph sendMail for a Graph\n"+
			"account. A copy is kept in the Sent folder. --dry-run shows what would be sent and sends nothing.", cfgPath, account)
	var f sendFlags
	fs.Var(&f.to, "to", "recipient `ADDR` (repeatable, or comma-separated)")
	fs.Var(&f.cc, "cc", "copy recipient `ADDR` (repeatable, or comma-separated)")
	fs.Var(&f.bcc, "bcc", "blind copy recipient `ADDR`: receives the message, not named in its header (repeatable, or comma-separated)")
	fs.StringVar(&f.subject, "subject", "", "subject")
	fs.StringVar(&f.body, "body", "", "the body: `TEXT` (HTML with --html)")
	fs.StringVar(&f.bodyFile, "body-file", "", "read the body from `FILE` (- for stdin)")
	fs.BoolVar(&f.html, "html", false, "the body is HTML (a plain-text rendering is sent alongside)")
	fs.Var(&f.attach, "attach", "attach `FILE` (repeatable)")
	fs.Var(&f.attachMsg, "attach-message", "attach the message with this `UID` whole, as message/rfc822 (repeatable)")
	fs.StringVar(&f.folder, "folder", "", "folder of --attach-message (default: the account's default folder, else INBOX)")
	fs.BoolVar(&f.dry, "dry-run", false, "print what would be sent; send nothing")
	if status, ok := fs.parse(args, stdout, stderr); !ok {
		return status
	}
	if err := f.check(fs); err != nil {
		return fs.usageError(stderr, err)
	}
	h, err := openHeadless(*cfgFlag, *acctFlag)
	if err != nil {
		return fail(stderr, 2, err)
	}
	defer h.close()
	out, code, err := h.outgoing(ctx, f)
	if err != nil {
		return fail(stderr, code, err)
	}
	if f.dry {
		out.Message.Preview(stdout, func(s string) string { return analysis.SanitizeLine(s).String() })
		fmt.Fprintf(stdout, "%-12s %s\n", "Via:", via(out))
		return 0
	}
	status, err := h.actions.Send(ctx, out)
	if err != nil {
		return fail(stderr, 1, err)
	}
	return printJSON(stdout, stderr, sendResult{Account: h.acct.Name, MessageID: out.Message.MessageID, Via: via(out),
		Recipients: out.Message.Recipients(), Attachments: out.Message.Attached(), Status: status})
}

// check refuses what cannot be a message before anything is opened.
func (f *sendFlags) check(fs *command) error {
	switch {
	case len(fs.Args()) > 0:
		return fmt.Errorf("unexpected argument %q", fs.Args()[0])
	case len(f.to)+len(f.cc)+len(f.bcc) == 0:
		return errors.New("give at least one recipient (--to, --cc or --bcc)")
	case f.subject == "":
		return errors.New("--subject is required")
	case (f.body == "") == (f.bodyFile == ""):
		return errors.New("give exactly one of --body and --body-file")
	case f.folder != "" && len(f.attachMsg) == 0:
		return errors.New("--folder only says where --attach-message's messages are")
	}
	for _, u := range f.attachMsg {
		if n, err := strconv.ParseUint(u, 10, 32); err != nil || n == 0 {
			return fmt.Errorf("--attach-message %q: not a UID", u)
		}
	}
	return nil
}

func via(o action.Outgoing) string {
	if o.SMTP == nil {
		return "graph"
	}
	return "smtp"
}

// outgoing builds the message and how it leaves. The int is the exit
// status for the error: 2 for configuration, 1 for what failed at run
// time (a file, the server).
func (h *headless) outgoing(ctx context.Context, f sendFlags) (action.Outgoing, int, error) {
	from := h.acct.Address
	if from == "" {
		return action.Outgoing{}, 2, fmt.Errorf("account %q: no sender address (set report_from, or a username that is an address)", h.acct.Name)
	}
	out := action.Outgoing{Account: h.acct.Name, Box: h.acct.Mailbox, SMTP: h.smtp, Now: time.Now()}
	if _, graph := h.acct.Mailbox.(action.Submitter); graph {
		out.SMTP = nil // Graph sends itself and files the copy
	} else if h.smtp == nil {
		return out, 2, fmt.Errorf("account %q: no smtp server configured: set smtp to send", h.acct.Name)
	}
	budget := int64(maxSendBytes)
	body, err := readBody(f, &budget)
	if err != nil {
		return out, 1, err
	}
	m := compose.Message{From: from, To: f.to, Cc: f.cc, Bcc: f.bcc, Subject: f.subject, Text: body, Date: out.Now}
	if f.html {
		m.HTML, m.Text = body, analysis.HTMLToText(body, len(body)+1024)
	}
	for _, p := range f.attach {
		a, err := readAttachment(p, &budget)
		if err != nil {
			return out, 1, err
		}
		m.Attachments = append(m.Attachments, a)
	}
	if len(f.attachMsg) > 0 {
		atts, target, err := h.attachedMessages(ctx, f, &budget)
		if err != nil {
			return out, 1, err
		}
		m.Attachments, out.Attached = append(m.Attachments, atts...), target
	}
	if !f.dry && out.SMTP != nil {
		out.Sent = sentFolder(ctx, h.acct.Mailbox)
	}
	m.MessageID = compose.NewMessageID(from)
	out.Message = m
	if err := m.Validate(); err != nil {
		return out, 2, err
	}
	return out, 0, nil
}

// readBody reads --body or --body-file within the budget.
func readBody(f sendFlags, budget *int64) (string, error) {
	if f.bodyFile == "" {
		*budget -= int64(len(f.body))
		return f.body, nil
	}
	r := io.Reader(os.Stdin)
	if f.bodyFile != "-" {
		file, err := os.Open(f.bodyFile)
		if err != nil {
			return "", fmt.Errorf("--body-file: %w", err)
		}
		defer file.Close()
		r = file
	}
	b, err := readCapped(r, budget, "--body-file "+f.bodyFile)
	return string(b), err
}

// readAttachment reads one regular file within the budget; the name sent
// is the file's base name.
func readAttachment(path string, budget *int64) (compose.Attachment, error) {
	file, err := os.Open(path)
	if err != nil {
		return compose.Attachment{}, fmt.Errorf("--attach: %w", err)
	}
	defer file.Close()
	if st, err := file.Stat(); err != nil || !st.Mode().IsRegular() {
		return compose.Attachment{}, fmt.Errorf("--attach %s: not a regular file", path)
	}
	data, err := readCapped(file, budget, "--attach "+path)
	return compose.Attachment{Name: compose.FileName(path), Data: data}, err
}

// readCapped reads r whole unless that passes what is left of budget.
func readCapped(r io.Reader, budget *int64, what string) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, *budget+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	if int64(len(b)) > *budget {
		return nil, fmt.Errorf("%s: the message would pass %d MiB with it", what, maxSendBytes>>20)
	}
	*budget -= int64(len(b))
	return b, nil
}

// attachedMessages fetches the --attach-message UIDs whole from the
// folder and returns them as message/rfc822 attachments, with the target
// the audit record names.
func (h *headless) attachedMessages(ctx context.Context, f sendFlags, budget *int64) ([]compose.Attachment, action.Target, error) {
	folder := firstNonEmpty(f.folder, h.acct.DefaultFolder, "INBOX")
	l, err := h.acct.Mailbox.List(ctx, folder, 0)
	if err != nil {
		return nil, action.Target{}, err
	}
	t := action.Target{Account: h.acct.Name, Box: h.acct.Mailbox, Folder: l.Folder}
	var atts []compose.Attachment
	for _, s := range f.attachMsg {
		n, _ := strconv.ParseUint(s, 10, 32)
		raw, err := h.acct.Mailbox.Fetch(ctx, l.Folder, mail.UID(n), *budget+1)
		if err != nil {
			return nil, t, fmt.Errorf("--attach-message %d in %s: %w", n, folder, err)
		}
		if raw.Truncated || int64(len(raw.Raw)) > *budget {
			return nil, t, fmt.Errorf("--attach-message %d: the message would pass %d MiB with it", n, maxSendBytes>>20)
		}
		*budget -= int64(len(raw.Raw))
		p := mail.ParseMessage(raw.Raw)
		atts = append(atts, compose.Attachment{Name: emlName(p.Subject, n), Data: raw.Raw, Message: true})
		t.UIDs = append(t.UIDs, mail.UID(n))
		if t.Subject == "" {
			t.Subject = p.Subject
		}
	}
	if len(t.UIDs) > 1 {
		t.Subject = ""
	}
	return atts, t, nil
}

// emlName is an attached message's file name, made of its subject's
// letters and digits, everything else a space (a hostile subject names
// no path and carries no control or bidi characters).
func emlName(subject string, uid uint64) string {
	name := strings.Map(func(r rune) rune {
		if unicode.IsLetter(r) || unicode.IsDigit(r) || r == '-' || r == '_' {
			return r
		}
		return ' '
	}, subject)
	name = strings.Join(strings.Fields(name), " ")
	if r := []rune(name); len(r) > 60 {
		name = strings.TrimSpace(string(r[:60]))
	}
	if name == "" {
		return fmt.Sprintf("message-%d.eml", uid)
	}
	return name + ".eml"
}

// sentFolder is the folder with the sent role ("" when none).
func sentFolder(ctx context.Context, box mail.Mailbox) string {
	folders, err := box.Folders(ctx)
	if err != nil {
		return ""
	}
	return action.FolderWithRole(folders, mail.RoleSent)
}
