package analysis

import "strings"

// Defang makes an indicator safe to paste: URL schemes become hxxp,
// hxxps, fxp; dots of hosts, domains and IPs become "[.]"; the "@" of an
// address becomes "[@]". In paths only nested http(s):// schemes change.
// Already defanged
// input is returned unchanged.
func Defang(s string) string {
	if strings.Contains(s, "[.]") || strings.Contains(s, "[@]") {
		return s
	}
	scheme, _, _ := splitURL(s)
	if scheme == "" || !strings.Contains(s, "://") && scheme != "mailto" {
		if strings.Contains(s, "@") {
			local, domain, _ := strings.Cut(s, "@")
			return local + "[@]" + strings.ReplaceAll(domain, ".", "[.]")
		}
		if scheme != "" {
			return s // javascript:, data:, …: nothing to click on
		}
		return strings.ReplaceAll(s, ".", "[.]")
	}
	if scheme == "mailto" {
		return "mailto:" + Defang(s[len("mailto:"):])
	}
	i := strings.Index(s, "://")
	prefix := s[:i]
	switch strings.ToLower(prefix) {
	case "http":
		prefix = "hxxp"
	case "https":
		prefix = "hxxps"
	case "ftp":
		prefix = "fxp"
	case "ftps":
		prefix = "fxps"
	}
	after := s[i+3:]
	end := strings.IndexAny(after, "/\\?#")
	if end < 0 {
		end = len(after)
	}
	return defangNested(prefix + "://" + strings.ReplaceAll(after[:end], ".", "[.]") + after[end:])
}

// defangNested neuters URLs nested in a path or query (redirectors).
func defangNested(s string) string {
	lower := asciiLower(s) // same length as s, unlike strings.ToLower
	if !strings.Contains(lower, "http") {
		return s
	}
	var b strings.Builder
	for {
		i := strings.Index(lower, "http")
		if i < 0 {
			break
		}
		b.WriteString(s[:i])
		switch {
		case strings.HasPrefix(lower[i:], "https://"):
			b.WriteString("hxxps://")
			s, lower = s[i+8:], lower[i+8:]
		case strings.HasPrefix(lower[i:], "http://"):
			b.WriteString("hxxp://")
			s, lower = s[i+7:], lower[i+7:]
		default:
			b.WriteString(s[i : i+4])
			s, lower = s[i+4:], lower[i+4:]
		}
	}
	b.WriteString(s)
	return b.String()
}

// asciiLower lowers ASCII letters only, so that indices stay valid in s.
func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}
