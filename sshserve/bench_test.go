package sshserve

import (
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// BenchmarkServe20Sessions runs 20 consoles at once on loopback, each
// pressing j, k, enter (open the message) and esc (back), and reports the
// time from a keypress to the first output it causes (p50, p99 of all
// keys; then esc apart, since a lone ESC byte is only known to be the esc
// key once no sequence follows it within Bubble Tea's 50ms escape
// timeout, and j/k/enter without it), plus the peak RSS of the whole test process —
// server, demo IMAP server and the 20 clients together.
//
// One op is one round of the four keys in every session. After each key
// the client waits for the screen the key leads to (the message after
// enter, the list after esc) and for the output to go quiet for 25ms
// before the next one, so that each key's output is not counted as the
// next key's, and leaves 75ms after esc, so the next key is not read as
// alt+key. (Without waiting for the screen, a loaded machine could run
// the message's opening after the esc meant to leave it, and the next
// round's keys would go to the message.)
func BenchmarkServe20Sessions(b *testing.B) {
	const sessions = 20
	f := start(b, func(c *Config) { c.Logf = nil; c.MaxSessions = sessions })
	terms := make([]*term, sessions)
	for i := range terms {
		terms[i] = f.login("viewer", "bench"+strconv.Itoa(i), 120, 40)
	}
	keys := []string{"j", "k", "\r", "\x1b"}
	screenAfter := map[string]string{"\r": "Summary", "\x1b": "enter open • space select"}
	var mu sync.Mutex
	var all, esc, other []time.Duration
	b.ResetTimer()
	for b.Loop() {
		var wg sync.WaitGroup
		for _, tm := range terms {
			wg.Go(func() {
				var mine, mineEsc, mineOther []time.Duration
				for _, k := range keys {
					d := tm.keyLatency(k, screenAfter[k])
					mine = append(mine, d)
					if k == "\x1b" {
						mineEsc = append(mineEsc, d)
					} else {
						mineOther = append(mineOther, d)
					}
				}
				mu.Lock()
				all = append(all, mine...)
				esc = append(esc, mineEsc...)
				other = append(other, mineOther...)
				mu.Unlock()
			})
		}
		wg.Wait()
	}
	b.StopTimer()
	// With every session still open: an OS thread per session would be
	// one blocked in a read (pty.go).
	if n := procStatus("Threads:"); n > 0 {
		b.ReportMetric(float64(n), "os-threads")
	}
	b.ReportMetric(ms(percentile(all, 50)), "p50-ms")
	b.ReportMetric(ms(percentile(all, 99)), "p99-ms")
	b.ReportMetric(ms(percentile(esc, 99)), "esc-p99-ms")
	b.ReportMetric(ms(percentile(other, 50)), "jk-enter-p50-ms")
	b.ReportMetric(ms(percentile(other, 99)), "jk-enter-p99-ms")
	b.ReportMetric(float64(len(all)), "keypresses")
	if kb := procStatus("VmHWM:"); kb > 0 {
		b.ReportMetric(float64(kb)/1024, "MB-peak-RSS")
	}
}

// keyLatency types k and returns how long the first output took; then it
// waits for the screen to show want (if any) and the output to settle.
func (tm *term) keyLatency(k, want string) time.Duration {
	tm.t.Helper()
	select {
	case <-tm.changed:
	default:
	}
	start := time.Now()
	tm.press(k)
	select {
	case <-tm.changed:
	case <-time.After(10 * time.Second):
		tm.t.Fatalf("no output within 10s of %q", k)
	}
	d := time.Since(start)
	if want != "" {
		tm.waitFor(want)
	}
	for {
		select {
		case <-tm.changed:
			continue
		case <-time.After(settle):
		}
		break
	}
	if k == "\x1b" {
		// A key typed within the escape timeout of ESC would make alt+key.
		time.Sleep(time.Until(start.Add(escGap)))
	}
	return d
}

// settle is the output silence taken as "this key's output is complete";
// escGap the least time between esc and the next key, past the 50ms
// escape timeout.
const (
	settle = 25 * time.Millisecond
	escGap = 75 * time.Millisecond
)

func percentile(d []time.Duration, p int) time.Duration {
	if len(d) == 0 {
		return 0
	}
	s := slices.Clone(d)
	slices.Sort(s)
	return s[min(len(s)-1, len(s)*p/100)]
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// procStatus is a number from this process's /proc/self/status (Linux):
// "VmHWM:" its peak resident set in kB, "Threads:" its OS threads.
func procStatus(field string) int {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, field); ok {
			n, _ := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")))
			return n
		}
	}
	return 0
}
