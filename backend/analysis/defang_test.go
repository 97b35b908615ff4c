package analysis

import "testing"

func TestDefang(t *testing.T) {
	for in, want := range map[string]string{
		"https://evil.example/login.php?a=b.c": "hxxps://evil[.]example/login.php?a=b.c",
		"http://1.2.3.4:8080/x":                "hxxp://1[.]2[.]3[.]4:8080/x",
		"HTTPS://Evil.Example":                 "hxxps://Evil[.]Example",
		"ftp://files.example/a":                "fxp://files[.]example/a",
		"mailto:a@evil.example":                "mailto:a[@]evil[.]example",
		"a.b@evil.example":                     "a.b[@]evil[.]example",
		"evil.example":                         "evil[.]example",
		"185.220.101.4":                        "185[.]220[.]101[.]4",
		"hxxps://evil[.]example/":              "hxxps://evil[.]example/",
		"javascript:alert(1)":                  "javascript:alert(1)",
	} {
		if got := Defang(in); got != want {
			t.Errorf("Defang(%q) = %q, want %q", in, got, want)
		}
	}
}
