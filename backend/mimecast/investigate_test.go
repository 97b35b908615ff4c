package mimecast_test

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/mailtriage/mailtriage/backend/mimecast"
	"github.com/mailtriage/mailtriage/backend/mimecast/mimecasttest"
)

// seeded is an emulator holding the gateway's view of two demo mails.
func seeded(t *testing.T, mode mimecast.AuthMode) (*env, []mimecasttest.Message) {
	t.Helper()
	e := setup(t, mode)
	day := e.clock.Now().Add(-3 * time.Hour)
	msgs := []mimecasttest.Message{
		{MessageID: "<CAF1=phish@billing-notice.top>", From: "Accounts <billing@billing-notice.top>",
			To: []string{"j.doe@example.com"}, Subject: "Overdue invoice 7731", Date: day,
			URLs: []string{"http://billing-notice.top/login?inv=7731", "https://example.com/terms"}, SenderIP: "203.0.113.66"},
		{MessageID: "weekly-42@news.example.org", From: "news@news.example.org",
			To: []string{"j.doe@example.com", "a.smith@example.com"}, Subject: "Your weekly digest",
			Date: day.Add(time.Hour), URLs: []string{"https://news.example.org/weekly/42"}, SenderIP: "198.51.100.20"},
	}
	e.srv.SeedFromMessages(msgs)
	return e, msgs
}

func TestMessageSearchFindsSeededMail(t *testing.T) {
	e, _ := seeded(t, mimecast.AuthHMAC)
	window := mimecast.TrackingQuery{SearchReason: "ticket 7", Start: e.clock.Now().Add(-24 * time.Hour), End: e.clock.Now()}
	tests := []struct {
		name string
		edit func(*mimecast.TrackingQuery)
		want []string // subjects
	}{
		{"message id with brackets", func(q *mimecast.TrackingQuery) { q.MessageID = "<CAF1=phish@billing-notice.top>" }, []string{"Overdue invoice 7731"}},
		{"message id without brackets", func(q *mimecast.TrackingQuery) { q.MessageID = "weekly-42@news.example.org" }, []string{"Your weekly digest"}},
		{"sender address", func(q *mimecast.TrackingQuery) { q.From = "billing@billing-notice.top" }, []string{"Overdue invoice 7731"}},
		{"sender domain", func(q *mimecast.TrackingQuery) { q.From = "news.example.org" }, []string{"Your weekly digest"}},
		{"recipient", func(q *mimecast.TrackingQuery) { q.To = "j.doe@example.com" }, []string{"Overdue invoice 7731", "Your weekly digest"}},
		{"subject", func(q *mimecast.TrackingQuery) { q.Subject = "invoice" }, []string{"Overdue invoice 7731"}},
		{"sender IP", func(q *mimecast.TrackingQuery) { q.SenderIP = "198.51.100.20" }, []string{"Your weekly digest"}},
		{"outside the window", func(q *mimecast.TrackingQuery) {
			q.Subject, q.End = "invoice", e.clock.Now().Add(-4*time.Hour)
		}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := window
			tt.edit(&q)
			got := get(e.c.SearchMessages(ctx(t), q, mimecast.ListOptions{}))(t)
			var subjects []string
			for _, m := range got {
				subjects = append(subjects, m.Subject)
			}
			if !slices.Equal(subjects, tt.want) {
				t.Errorf("subjects = %q, want %q", subjects, tt.want)
			}
		})
	}
}

func TestMessageSearchNeedsOneKindOfCriteria(t *testing.T) {
	e, _ := seeded(t, mimecast.AuthHMAC)
	for _, q := range []mimecast.TrackingQuery{
		{},
		{MessageID: "<a@b>", From: "x@y.example"},
		{SenderIP: "not-an-ip"},
		{From: "x@y.example", Routes: []string{"sideways"}},
	} {
		var ve *mimecast.ValidationError
		if _, err := e.c.SearchMessages(ctx(t), q, mimecast.ListOptions{}); !errors.As(err, &ve) {
			t.Errorf("SearchMessages(%+v) err = %v, want *ValidationError", q, err)
		}
	}
}

func TestMessageInfoShowsDeliveryAndPolicies(t *testing.T) {
	e, msgs := seeded(t, mimecast.AuthOAuth2)
	found := get(e.c.SearchMessages(ctx(t), mimecast.TrackingQuery{MessageID: msgs[1].MessageID,
		Start: e.clock.Now().Add(-time.Hour * 24)}, mimecast.ListOptions{}))(t)
	if len(found) != 1 || found[0].ID != mimecasttest.MimecastID(msgs[1].MessageID) {
		t.Fatalf("search = %+v", found)
	}
	if found[0].FromEnv.EmailAddress != "news@news.example.org" || len(found[0].To) != 2 || found[0].SenderIP != "198.51.100.20" {
		t.Errorf("tracked = %+v", found[0])
	}
	info := get(e.c.MessageInfo(ctx(t), found[0].ID))(t)
	if got := info.Recipients(); !slices.Equal(got, []string{"a.smith@example.com", "j.doe@example.com"}) {
		t.Errorf("delivered to %q", got)
	}
	d := info.DeliveredMessage["j.doe@example.com"]
	if d.DeliveryMetaInfo.DeliveryEvent == "" || len(d.PolicyInfo) == 0 || d.PolicyInfo[0].PolicyName == "" {
		t.Errorf("delivery = %+v, want a delivery event and applied policies", d)
	}
	if info.RecipientInfo.RecipientMetaInfo.RemoteIP != "198.51.100.20" || info.RecipientInfo.MessageInfo.Subject != "Your weekly digest" {
		t.Errorf("inbound leg = %+v", info.RecipientInfo)
	}
	if _, err := e.c.MessageInfo(ctx(t), "eNoUnknown"); !errors.Is(err, mimecast.ErrNotFound) {
		t.Errorf("unknown id: err = %v, want ErrNotFound", err)
	}
}

func TestArchiveListDetailAndSearch(t *testing.T) {
	e, msgs := seeded(t, mimecast.AuthHMAC)
	list := get(e.c.ArchiveMessages(ctx(t), mimecast.MessageListQuery{Mailbox: "a.smith@example.com"}, mimecast.ListOptions{}))(t)
	if len(list) != 1 || list[0].Subject != "Your weekly digest" {
		t.Fatalf("a.smith's inbox = %+v", list)
	}
	sent := get(e.c.ArchiveMessages(ctx(t), mimecast.MessageListQuery{Mailbox: "news@news.example.org", View: "SENT"}, mimecast.ListOptions{}))(t)
	if len(sent) != 1 {
		t.Errorf("sent view = %+v, want 1", sent)
	}

	d := get(e.c.ArchiveMessageDetail(ctx(t), list[0].ID))(t)
	if d.MessageID != "<weekly-42@news.example.org>" || len(d.To) != 2 || d.Received.IsZero() {
		t.Errorf("detail = %+v", d)
	}
	hasMsgID := slices.ContainsFunc(d.Headers, func(h mimecast.Header) bool {
		return h.Name == "Message-ID" && slices.Equal(h.Values, []string{"<weekly-42@news.example.org>"})
	})
	if !hasMsgID {
		t.Errorf("headers %+v lack Message-ID", d.Headers)
	}

	hits := get(e.c.SearchArchive(ctx(t), mimecast.ArchiveSearch{Admin: true, Text: "invoice", Period: mimecast.PeriodLastWeek}, mimecast.ListOptions{}))(t)
	if len(hits) != 1 || hits[0].ID != mimecasttest.MimecastID(msgs[0].MessageID) || hits[0].DisplayFromAddress != "billing@billing-notice.top" {
		t.Fatalf("search hits = %+v", hits)
	}
	mine := get(e.c.SearchArchive(ctx(t), mimecast.ArchiveSearch{Mailbox: "a.smith@example.com", Text: "<digest>&", Period: mimecast.PeriodBetween,
		From: e.clock.Now().Add(-24 * time.Hour), To: e.clock.Now()}, mimecast.ListOptions{}))(t)
	if len(mine) != 0 {
		t.Errorf("search for text with XML metacharacters = %+v, want none (and no broken query)", mine)
	}

	logs := get(e.c.SearchLogs(ctx(t), mimecast.SearchLogQuery{}, mimecast.ListOptions{}))(t)
	if len(logs) != 2 || logs[0].SearchText != "invoice" || !logs[0].IsAdmin || logs[1].SearchText != "<digest>&" {
		t.Errorf("search logs = %+v, want the two searches just run", logs)
	}
	only := get(e.c.SearchLogs(ctx(t), mimecast.SearchLogQuery{Query: "invoice"}, mimecast.ListOptions{}))(t)
	if len(only) != 1 {
		t.Errorf("filtered search logs = %+v", only)
	}
}

func TestArchiveSearchNeedsMailboxUnlessAdmin(t *testing.T) {
	e := setup(t, mimecast.AuthHMAC)
	var ve *mimecast.ValidationError
	if _, err := e.c.SearchArchive(ctx(t), mimecast.ArchiveSearch{Text: "x"}, mimecast.ListOptions{}); !errors.As(err, &ve) {
		t.Errorf("err = %v, want *ValidationError", err)
	}
	if _, err := e.c.SearchArchive(ctx(t), mimecast.ArchiveSearch{Admin: true, Period: mimecast.PeriodBetween}, mimecast.ListOptions{}); !errors.As(err, &ve) {
		t.Errorf("between without dates: err = %v, want *ValidationError", err)
	}
}

func TestTTPURLLogs(t *testing.T) {
	e, _ := seeded(t, mimecast.AuthOAuth2)
	all := get(e.c.TTPURLLogs(ctx(t), mimecast.ClickLogQuery{}, mimecast.ListOptions{}))(t)
	if len(all) != 3 {
		t.Fatalf("%d click logs, want 3", len(all))
	}
	if !all[0].Date.After(all[2].Date.Time) {
		t.Errorf("logs not newest first: %v then %v", all[0].Date, all[2].Date)
	}
	bad := get(e.c.TTPURLLogs(ctx(t), mimecast.ClickLogQuery{ScanResult: "malicious", OldestFirst: true}, mimecast.ListOptions{}))(t)
	if len(bad) != 1 || bad[0].URL != "http://billing-notice.top/login?inv=7731" || bad[0].UserEmailAddress != "j.doe@example.com" {
		t.Errorf("malicious logs = %+v", bad)
	}
	old := get(e.c.TTPURLLogs(ctx(t), mimecast.ClickLogQuery{From: e.clock.Now().Add(-72 * time.Hour), To: e.clock.Now().Add(-48 * time.Hour)}, mimecast.ListOptions{}))(t)
	if len(old) != 0 {
		t.Errorf("logs outside the range = %+v", old)
	}
	var ve *mimecast.ValidationError
	if _, err := e.c.TTPURLLogs(ctx(t), mimecast.ClickLogQuery{Route: "sideways"}, mimecast.ListOptions{}); !errors.As(err, &ve) {
		t.Errorf("bad route: err = %v", err)
	}
}

func TestAliases(t *testing.T) {
	e := setup(t, mimecast.AuthHMAC)
	e.srv.Seed(mimecasttest.SampleData(e.clock.Now()))
	got := get(e.c.Aliases(ctx(t), "j.doe@example.com"))(t)
	if len(got) != 2 || got[0].EmailAddress != "john.doe@example.com" || !got[0].IsInternal {
		t.Errorf("aliases = %+v", got)
	}
	none := get(e.c.Aliases(ctx(t), "nobody@example.com"))(t)
	if len(none) != 0 {
		t.Errorf("aliases of an unknown user = %+v", none)
	}
}

func TestHeldQueueReleaseAndReject(t *testing.T) {
	e, msgs := seeded(t, mimecast.AuthOAuth2)
	e.srv.Seed(mimecasttest.SeedData{Held: []mimecasttest.HeldMessage{
		{ID: "eNoHeld2", Subject: "Payroll change", From: "hr@evil.example", To: "j.doe@example.com",
			Received: e.clock.Now().Add(-time.Hour), Route: "inbound", ReasonCode: "IMPERSONATION"},
		{ID: "eNoHeld3", Subject: "Mine", From: "x@evil.example", To: e.srv.APIUser(), Route: "inbound"},
	}})
	held := get(e.c.HeldMessages(ctx(t), mimecast.HeldQuery{Admin: true}, mimecast.ListOptions{}))(t)
	if len(held) != 3 || held[0].ID != mimecasttest.MimecastID(msgs[0].MessageID) {
		t.Fatalf("held = %+v, want the suspicious seeded mail first, 3 in all", held)
	}
	own := get(e.c.HeldMessages(ctx(t), mimecast.HeldQuery{}, mimecast.ListOptions{}))(t)
	if len(own) != 1 || own[0].ID != "eNoHeld3" {
		t.Errorf("non-admin list = %+v, want only the API user's", own)
	}
	bySender := get(e.c.HeldMessages(ctx(t), mimecast.HeldQuery{Admin: true, SearchBy: "sender", Value: "hr@evil"}, mimecast.ListOptions{}))(t)
	if len(bySender) != 1 || bySender[0].ReasonCode != "IMPERSONATION" {
		t.Errorf("search by sender = %+v", bySender)
	}

	rel := get(e.c.ReleaseHeld(ctx(t), held[0].ID))(t)
	if !rel.Released {
		t.Errorf("release = %+v", rel)
	}
	rej := get(e.c.RejectHeld(ctx(t), mimecast.RejectSpec{IDs: []string{"eNoHeld2"}, ReasonType: mimecast.RejectUndesirable, Notify: true}))(t)
	if len(rej) != 1 || !rej[0].Rejected {
		t.Errorf("reject = %+v", rej)
	}
	if left := e.srv.HeldMessages(); len(left) != 1 || left[0].ID != "eNoHeld3" {
		t.Errorf("queue after release and reject = %+v", left)
	}
	if _, err := e.c.ReleaseHeld(ctx(t), "eNoHeld2"); !errors.Is(err, mimecast.ErrNotFound) {
		t.Errorf("releasing a rejected message: err = %v, want ErrNotFound", err)
	}
}
