package fortimail

import (
	"fmt"
	"strconv"
	"strings"
)

// Version is a FortiMail firmware version, as far as the API differs by it.
type Version struct {
	Major, Minor, Patch int
	raw                 string
}

// ParseVersion reads "7.2", "7.4.2", "v6.4.5" or "6.0.143".
func ParseVersion(s string) (Version, error) {
	t := strings.TrimPrefix(strings.ToLower(strings.TrimSpace(s)), "v")
	parts := strings.SplitN(t, ".", 3)
	var nums [3]int
	for i, p := range parts {
		// Builds may add text after a number ("7.4.2,build1234").
		if end := strings.IndexFunc(p, notDigit); end >= 0 {
			p = p[:end]
		}
		n, err := strconv.Atoi(p)
		if err != nil {
			return Version{}, fmt.Errorf("%q is not a version like 7.2.0", s)
		}
		nums[i] = n
	}
	return Version{Major: nums[0], Minor: nums[1], Patch: nums[2], raw: strings.TrimSpace(s)}, nil
}

// IsZero reports whether the version is unknown.
func (v Version) IsZero() bool { return v.Major == 0 && v.Minor == 0 && v.Patch == 0 }

// AtLeast reports whether v is major.minor or later.
func (v Version) AtLeast(major, minor int) bool {
	return v.Major > major || (v.Major == major && v.Minor >= minor)
}

func (v Version) String() string {
	if v.raw != "" {
		return v.raw
	}
	if v.IsZero() {
		return "unknown"
	}
	return fmt.Sprintf("%d.%d.%d", v.Major, v.Minor, v.Patch)
}

func notDigit(r rune) bool { return r < '0' || r > '9' }
