package report

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/jhillyerd/enmime/v2"

	"github.com/mailtriage/mailtriage/internal/smtptest"
)

func server(addr, password string) Server {
	return Server{Addr: addr, TLS: TLSNone, Username: "soc@example.com", Password: func(context.Context) (string, error) { return password, nil }}
}

const original = "From: \"Apple\" <no-reply@appIe-id.example>\nSubject: Your Apple ID\x1b[2J is locked\nMessage-ID: <phish1@appIe-id.example>\n\nclick here\n"

func TestReportArrivesWithTheOriginalAttachedUnchanged(t *testing.T) {
	s := smtptest.Start(t, "soc@example.com", "smtp secret")
	msg, id, err := Build(Report{From: "soc@example.com", To: []string{"abuse@example.com"}, Subject: "Your Apple ID\x1b[2J is locked", Original: []byte(original), Date: time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)})
	if err != nil || id == "" {
		t.Fatal(err)
	}
	if err := Send(context.Background(), server(s.Addr, "smtp secret"), "soc@example.com", []string{"abuse@example.com"}, msg); err != nil {
		t.Fatal(err)
	}
	got := s.Received()
	if len(got) != 1 || got[0].From != "soc@example.com" || got[0].To[0] != "abuse@example.com" {
		t.Fatalf("received %+v", got)
	}
	env, err := enmime.ReadEnvelope(bytes.NewReader(got[0].Data))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(env.GetHeader("Subject"), "Suspicious message: Your Apple ID") || strings.Contains(env.GetHeader("Subject"), "\x1b") {
		t.Fatalf("subject %q", env.GetHeader("Subject"))
	}
	var att []byte
	for _, p := range append(env.Attachments, env.Inlines...) {
		if p.ContentType == "message/rfc822" {
			att = p.Content
		}
	}
	if want := strings.ReplaceAll(original, "\n", "\r\n"); string(att) != want {
		t.Fatalf("attachment %q, want %q", att, want)
	}
}

func TestReportRefusalsAreReadable(t *testing.T) {
	s := smtptest.Start(t, "soc@example.com", "smtp secret")
	msg, _, _ := Build(Report{From: "soc@example.com", To: []string{"abuse@example.com"}, Original: []byte(original), Date: time.Now()})
	err := Send(context.Background(), server(s.Addr, "wrong"), "soc@example.com", []string{"abuse@example.com"}, msg)
	if err == nil || !strings.Contains(err.Error(), "login as soc@example.com refused") || strings.Contains(err.Error(), "wrong") {
		t.Fatalf("wrong password: %v", err)
	}
	err = Send(context.Background(), server(s.Addr, "smtp secret"), "soc@example.com", []string{"x@nowhere.example"}, msg)
	if err == nil || !strings.Contains(err.Error(), "no such user") {
		t.Fatalf("unknown recipient: %v", err)
	}
	if len(s.Received()) != 0 {
		t.Fatal("something was delivered")
	}
	if _, _, err := Build(Report{From: "soc@example.com", To: []string{"a@b.example>\r\nBcc: x@y"}}); err == nil {
		t.Fatal("header injection in the address accepted")
	}
}

func TestReportLogsInWithXOAUTH2WhenATokenSourceIsSet(t *testing.T) {
	s := smtptest.Start(t, "soc@example.com", "unused")
	s.Token = "tok-abc"
	msg, _, _ := Build(Report{From: "soc@example.com", To: []string{"abuse@example.com"}, Original: []byte(original), Date: time.Now()})
	srv := Server{Addr: s.Addr, TLS: TLSNone, Username: "soc@example.com", OAuth2: func(context.Context) (string, error) { return "tok-abc", nil }}
	if err := Send(context.Background(), srv, "soc@example.com", []string{"abuse@example.com"}, msg); err != nil {
		t.Fatalf("XOAUTH2 submission: %v", err)
	}
	if len(s.Received()) != 1 {
		t.Fatal("nothing received")
	}
	srv.OAuth2 = func(context.Context) (string, error) { return "stale", nil }
	err := Send(context.Background(), srv, "soc@example.com", []string{"abuse@example.com"}, msg)
	if err == nil || !strings.Contains(err.Error(), "refused") || strings.Contains(err.Error(), "stale") {
		t.Fatalf("refused token: %v", err)
	}
}
