package verdict_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mailtriage/mailtriage/backend/action"
	"github.com/mailtriage/mailtriage/backend/mail"
	"github.com/mailtriage/mailtriage/backend/mail/graph"
	"github.com/mailtriage/mailtriage/backend/mail/graph/graphtest"
	"github.com/mailtriage/mailtriage/backend/remediate"
	"github.com/mailtriage/mailtriage/backend/verdict"
)

// On a Graph account the verdict is a category on every report and the
// replies go out through sendMail (kept in Sent Items).
func TestGraphVerdictCategoryAndSendMail(t *testing.T) {
	srv := graphtest.New()
	t.Cleanup(srv.Close)
	srv.AddFolder(reports)
	base := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	for i, m := range demoReports(t) {
		srv.Deliver(reports, m.Raw, base.Add(time.Duration(i)*time.Minute))
	}
	token := srv.MintToken()
	box := graph.New(graph.Config{
		BaseURL: srv.BaseURL(), Token: func(context.Context) (string, error) { return token, nil },
		HTTPClient: srv.Client(), PollInterval: time.Second, MaxRetryWait: 5 * time.Second,
	})
	t.Cleanup(func() { box.Close() })
	l, _ := analystLayer(t)
	ctx := context.Background()

	scan, err := verdict.Cases(ctx, "graph", box, mail.FolderRef{Name: reports}, nil, verdict.Options{})
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(scan.Cases, func(c verdict.Case) bool { return c.Key == salaryKey })
	if i < 0 || len(scan.Cases[i].Reports) != 3 {
		t.Fatalf("salary case not found as 3 reports among %d cases", len(scan.Cases))
	}
	for _, r := range scan.Cases[i].Reports {
		c, err := verdict.FindCase(ctx, "graph", box, scan.Cases[i].Folder, r.UID, verdict.Options{})
		if err != nil || !slices.Equal(c.UIDs(), scan.Cases[i].UIDs()) {
			t.Errorf("FindCase from %d: %v %v, want %v", r.UID, c.UIDs(), err, scan.Cases[i].UIDs())
		}
	}
	set := defaults(t)
	v, _ := set.Lookup("phishing")
	res, err := verdict.Apply(ctx, l, scan.Cases[i], v, set)
	if err != nil {
		t.Fatal(err)
	}
	tagged := 0
	for _, m := range srv.Messages(reports) {
		if slices.Contains(m.Categories, "verdict phishing") {
			tagged++
		}
	}
	if tagged != 3 {
		t.Fatalf("%d reports carry the category", tagged)
	}
	sender, err := verdict.SenderFor(box, nil)
	if err != nil {
		t.Fatal(err)
	}
	pv, err := verdict.Prepare(l, res.After, v, verdict.Compose{From: srv.Mailbox, Analyst: "Alex", Now: base})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := verdict.Send(ctx, l, pv, sender); err != nil {
		t.Fatal(err)
	}
	sent := srv.Messages("Sent Items")
	if len(sent) != 3 {
		t.Fatalf("%d messages in Sent Items", len(sent))
	}
	for _, m := range sent {
		if strings.Contains(string(m.Raw), "nw-payroll-portal.example") || !strings.Contains(string(m.Raw), "nw-payroll-portal[.]example") {
			t.Errorf("reply not defanged:\n%s", m.Raw)
		}
	}
	// Another analyst, with an audit log of their own, sees the marks on
	// the server and answers no one again.
	other := &action.Layer{Remedy: &remediate.Service{Audit: auditLog(t, "other.jsonl"), Operator: "other", Via: "ssh"}}
	again, err := verdict.Cases(ctx, "graph", box, mail.FolderRef{Name: reports}, nil, verdict.Options{})
	if err != nil {
		t.Fatal(err)
	}
	i = slices.IndexFunc(again.Cases, func(c verdict.Case) bool { return c.Key == salaryKey })
	pv, err = verdict.Prepare(other, again.Cases[i], v, verdict.Compose{From: srv.Mailbox, Analyst: "Sam", Now: base})
	if err != nil || len(pv.Replies) != 0 || len(pv.Skipped) != 3 {
		t.Fatalf("second analyst: %d replies, skipped %v, %v", len(pv.Replies), pv.Skipped, err)
	}
}
