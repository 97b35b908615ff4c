package graph_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/mailtriage/mailtriage/backend/mail/graph"
)

// sendMail takes its recipients from To, Cc and Bcc, delivers without
// Bcc, and keeps the copy in Sent Items.
func TestSendMIMEDeliversWithoutBccAndKeepsACopy(t *testing.T) {
	srv, m, _ := newBox(t, 0)
	raw := []byte("From: analyst@example.com\r\nTo: desk@example.com\r\nCc: lead@example.com\r\nBcc: hidden@example.com\r\nSubject: Case 4711\r\nMessage-ID: <case4711@example.com>\r\n\r\nsee attached\r\n")
	if err := m.SendMIME(context.Background(), raw); err != nil {
		t.Fatal(err)
	}
	sent := srv.Sent()
	if len(sent) != 1 || strings.Join(sent[0].Recipients, " ") != "desk@example.com lead@example.com hidden@example.com" {
		t.Fatalf("sent %+v", sent)
	}
	if bytes.Contains(sent[0].Raw, []byte("hidden@example.com")) || !bytes.Contains(sent[0].Raw, []byte("see attached")) {
		t.Fatalf("delivered bytes: %s", sent[0].Raw)
	}
	if copies := srv.Messages("Sent Items"); len(copies) != 1 || copies[0].Subject != "Case 4711" {
		t.Fatalf("Sent Items: %+v", copies)
	}
}

// A message over Graph's sendMail limit is refused before anything is
// sent, with the reason.
func TestSendMIMERefusesWhatGraphCannotTake(t *testing.T) {
	srv, m, _ := newBox(t, 0)
	big := append([]byte("From: a@example.com\r\nTo: b@example.com\r\nSubject: big\r\n\r\n"), bytes.Repeat([]byte("x"), graph.MaxSendMIME)...)
	err := m.SendMIME(context.Background(), big)
	if err == nil || !strings.Contains(err.Error(), "limit") || len(srv.Sent()) != 0 {
		t.Fatalf("err %v, sent %d", err, len(srv.Sent()))
	}
	noRcpt := []byte("From: a@example.com\r\nSubject: none\r\n\r\nx\r\n")
	if err := m.SendMIME(context.Background(), noRcpt); err == nil || !strings.Contains(err.Error(), "recipient") {
		t.Fatalf("no recipient: %v", err)
	}
}
