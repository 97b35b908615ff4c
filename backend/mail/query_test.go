package mail

import (
	"testing"
	"time"
)

func TestParseQuery(t *testing.T) {
	tests := []struct {
		in   string
		want string
	}{
		{"invoice", "text:invoice"},
		{"from:alice@example.com is:unread", "from:alice@example.com is:unread"},
		{`subject:"urgent payment" -from:ceo`, `subject:"urgent payment" -from:ceo`},
		{"since:2026-01-02 before:2026-02-01 body:wire", "body:wire since:2026-01-02 before:2026-02-01"},
		{"tag:Phish in:all", "tag:Phish in:all"},
		{`tag:"Phish – confirmed"`, `tag:"Phish – confirmed"`},
		{"http://evil.example/login", "text:http://evil.example/login"},
		{`"from:x"`, "text:from:x"},
		{`IS:Flagged`, "is:flagged"},
		{`message-id:<a.b@x.example>`, "message-id:<a.b@x.example>"},
		{`subject:"say \"hi\""`, `subject:"say \"hi\""`},
	}
	for _, tt := range tests {
		q, err := ParseQuery(tt.in)
		if err != nil {
			t.Errorf("ParseQuery(%q): %v", tt.in, err)
			continue
		}
		if got := q.String(); got != tt.want {
			t.Errorf("ParseQuery(%q) = %q, want %q", tt.in, got, tt.want)
		}
		again, err := ParseQuery(q.String())
		if err != nil || again.String() != q.String() {
			t.Errorf("round trip of %q: %q, %v", tt.in, again.String(), err)
		}
	}
}

func TestParseQueryErrors(t *testing.T) {
	for _, in := range []string{"", "   ", "since:yesterday", "is:maybe", `subject:"open`, "from:", "in:Junk"} {
		if _, err := ParseQuery(in); err == nil {
			t.Errorf("ParseQuery(%q) accepted", in)
		}
	}
}

func TestParseQueryDates(t *testing.T) {
	q, err := ParseQuery("since:2026-03-04")
	if err != nil {
		t.Fatal(err)
	}
	if !q.Since.Equal(time.Date(2026, 3, 4, 0, 0, 0, 0, time.UTC)) {
		t.Fatalf("since = %v", q.Since)
	}
}

func FuzzParseQuery(f *testing.F) {
	f.Add(`from:a "b c" -subject:"d\"e" since:2026-01-01 in:all`)
	f.Fuzz(func(t *testing.T, s string) {
		q, err := ParseQuery(s)
		if err != nil {
			return
		}
		again, err := ParseQuery(q.String())
		if err != nil {
			t.Fatalf("canonical form %q of %q does not parse: %v", q.String(), s, err)
		}
		if again.String() != q.String() {
			t.Fatalf("not stable: %q → %q", q.String(), again.String())
		}
	})
}
