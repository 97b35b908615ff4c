package mail

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"
)

func TestMimeShape(t *testing.T) {
	msg := "Content-Type: multipart/mixed;\r\n boundary=\"a b\"\r\n\r\npreamble\r\n--a b\r\nContent-Type: multipart/alternative; boundary=c\r\n\r\n--c\r\n\r\nx\r\n--c--\r\n--a b\r\n\r\ny\r\n--a b--\r\n"
	if cut, why := mimeShape([]byte(msg), 2, 10); cut != len(msg) {
		t.Errorf("cut at %d (%s) within limits", cut, why)
	}
	if cut, _ := mimeShape([]byte(msg), 1, 10); cut != strings.Index(msg, "--c\r\n")-2 {
		t.Errorf("depth cut at %d: %q", cut, msg[cut:])
	}
	if cut, _ := mimeShape([]byte(msg), 2, 2); cut != strings.LastIndex(msg, "--a b\r\n") {
		t.Errorf("parts cut at %d: %q", cut, msg[cut:])
	}
}

// nestedMessage nests depth multiparts, each declaring its boundary with
// param (a format with one %d, the level), none of them terminated: the
// shape that makes the MIME parser's cost double with each level.
func nestedMessage(depth int, param string) []byte {
	var b strings.Builder
	b.WriteString("From: a@example.com\r\nSubject: deep\r\n")
	for i := range depth {
		fmt.Fprintf(&b, "Content-Type: multipart/mixed; "+param+"\r\n\r\n", i)
		fmt.Fprintf(&b, "--b%d\r\n", i)
	}
	b.WriteString("Content-Type: text/plain\r\n\r\nbottom\r\n")
	return []byte(b.String())
}

// Every spelling of the boundary parameter that the parser reads counts
// toward the depth guard.
func TestBoundarySpellingsCountTowardDepth(t *testing.T) {
	for _, param := range []string{
		`boundary="b%d"`,
		`boundary=b%d`,
		`boundary = "b%d"`,
		`BOUNDARY="b%d"`,
		`Boundary =b%d`,
		`boundary*0="b%d"`,
		`boundary*=utf-8''b%d`,
		`boundary*=UTF-8'en'b%d`,
	} {
		t.Run(param, func(t *testing.T) {
			raw := nestedMessage(30, param)
			cut, why := mimeShape(raw, 10, 500)
			if cut == len(raw) || !strings.Contains(why, "nesting deeper than 10") {
				t.Fatalf("30 levels with %s passed the guard (cut %d of %d: %q)", param, cut, len(raw), why)
			}
			start := time.Now()
			p := Parse(context.Background(), raw, Limits{})
			if len(p.Capped) == 0 || p.Capped[0].What != "mime" {
				t.Errorf("Capped = %+v, want the mime cap", p.Capped)
			}
			if d := time.Since(start); d > 2*time.Second {
				t.Errorf("parse took %v", d)
			}
		})
	}
}

// A continuation split across RFC 2231 sections is joined as the parser
// joins it, so the delimiters of "b" + "0" are followed.
func TestBoundaryContinuationIsJoined(t *testing.T) {
	raw := nestedMessage(12, `boundary*0="b"; boundary*1="%d"`)
	if cut, why := mimeShape(raw, 10, 500); cut == len(raw) {
		t.Fatalf("12 levels of split boundaries passed a guard of 10 (%q)", why)
	}
}

func TestDelimiterWithTrailingTextCounts(t *testing.T) {
	// The parser takes "--b0 junk" for a delimiter; so must the guard.
	var b strings.Builder
	b.WriteString("Subject: x\r\n")
	for i := range 20 {
		fmt.Fprintf(&b, "Content-Type: multipart/mixed; boundary=b%d\r\n\r\n--b%d trailing\r\n", i, i)
	}
	raw := []byte(b.String())
	if cut, _ := mimeShape(raw, 10, 500); cut == len(raw) {
		t.Fatal("delimiters with trailing text were not followed")
	}
}

func TestParseCapsHugeNesting(t *testing.T) {
	for _, depth := range []int{40, 10000} {
		raw := nestedMessage(depth, `boundary="b%d"`)
		start := time.Now()
		p := Parse(context.Background(), raw, Limits{})
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("depth %d (%d bytes): parse took %v", depth, len(raw), d)
		}
		if p.Subject != "deep" || len(p.Capped) != 1 || p.Capped[0].What != "mime" {
			t.Errorf("depth %d: subject %q, capped %+v", depth, p.Subject, p.Capped)
		}
	}
}

func TestParseStopsWhenContextEnds(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	p := Parse(ctx, []byte("Subject: hi\r\nFrom: a@b\r\n\r\nbody\r\n"), Limits{})
	if len(p.Capped) != 1 || p.Capped[0].What != "deadline" || p.Subject != "hi" {
		t.Errorf("capped %+v, subject %q: want a deadline record with the header", p.Capped, p.Subject)
	}
	// A deadline the parser cannot meet: a generous depth limit lets the
	// exponential case through to the parser, and the deadline stops it.
	raw := nestedMessage(22, `boundary="b%d"`) // about 2 s of parsing, left to run out
	start := time.Now()
	p = Parse(context.Background(), raw, Limits{MaxDepth: 1000, Timeout: 200 * time.Millisecond})
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("parse past its deadline took %v", d)
	}
	if len(p.Capped) != 1 || p.Capped[0].What != "deadline" || p.From != "a@example.com" {
		t.Errorf("capped %+v, from %q: want a deadline record with the header", p.Capped, p.From)
	}
}

func TestParseCapsHeaderAndBytes(t *testing.T) {
	raw := []byte("Subject: big\r\nX-Pad: " + strings.Repeat("a", 2000) + "\r\n\r\nbody\r\n")
	p := Parse(context.Background(), raw, Limits{MaxHeaderBytes: 1000})
	if len(p.Capped) != 1 || p.Capped[0].What != "header" || p.Subject != "big" || p.Text != "" {
		t.Errorf("capped %+v subject %q text %q", p.Capped, p.Subject, p.Text)
	}
	p = Parse(context.Background(), []byte("Subject: s\r\n\r\n"+strings.Repeat("x", 5000)), Limits{MaxBytes: 1000})
	if len(p.Capped) != 1 || p.Capped[0].What != "bytes" || len(p.Text) > 1000 {
		t.Errorf("capped %+v, %d bytes of text", p.Capped, len(p.Text))
	}
}

// BenchmarkParseHostile times the messages of issue 17 that used to stall
// pull and watch: each must now be a capped parse in well under a second.
func BenchmarkParseHostile(b *testing.B) {
	for _, c := range []struct {
		name  string
		depth int
		param string
	}{
		{"nested40", 40, `boundary="b%d"`},
		{"nested10000", 10000, `boundary="b%d"`},
		{"rfc2231-30", 30, `boundary*0="b%d"`},
		{"spaced-30", 30, `boundary = "b%d"`},
	} {
		raw := nestedMessage(c.depth, c.param)
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(int64(len(raw)))
			for b.Loop() {
				if p := Parse(context.Background(), raw, Limits{}); len(p.Capped) == 0 {
					b.Fatal("not capped")
				}
			}
		})
	}
}
