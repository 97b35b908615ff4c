// Package watchtest runs `mailtriage watch` as a separate process in
// tests and hands over, in order, the alert names (the subjects) of the
// JSON records it prints, so a test can kill it with SIGKILL and start it
// again as an operator would.
package watchtest

import (
	"bufio"
	"encoding/json"
	"os"
	"os/exec"
	"testing"
	"time"
)

// recordWait bounds how long Next waits for a record: only a broken test
// waits that long.
const recordWait = 30 * time.Second

// Process is a started watch process and the alert names of its records.
type Process struct {
	cmd   *exec.Cmd
	tb    testing.TB
	names chan string
}

// Start starts cmd, a watch command line whose caller set its program,
// arguments and environment, with its stderr on the test's and its stdout
// read as JSON lines. The process is killed when the test ends.
func Start(tb testing.TB, cmd *exec.Cmd) *Process {
	tb.Helper()
	out, err := cmd.StdoutPipe()
	if err != nil {
		tb.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	p := &Process{cmd: cmd, tb: tb, names: make(chan string, 100)}
	go p.readRecords(bufio.NewScanner(out))
	tb.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	return p
}

// readRecords sends the alert name of every record on sc (lines that are
// no JSON record are passed over) and closes the channel at the end.
func (p *Process) readRecords(sc *bufio.Scanner) {
	sc.Buffer(nil, 4<<20)
	for sc.Scan() {
		var r struct {
			Alert struct{ Name string } `json:"alert"`
		}
		if json.Unmarshal(sc.Bytes(), &r) == nil {
			p.names <- r.Alert.Name
		}
	}
	close(p.names)
}

// Next waits for the next record's alert name; the test fails if the
// process exits first or no record comes within the deadline.
func (p *Process) Next() string {
	p.tb.Helper()
	select {
	case s, ok := <-p.names:
		if !ok {
			p.tb.Fatal("watch exited")
		}
		return s
	case <-time.After(recordWait):
		p.tb.Fatal("no record within 30 s")
	}
	return ""
}

// Kill kills the process with SIGKILL (kill -9) and waits for it to end.
func (p *Process) Kill() {
	p.tb.Helper()
	if err := p.cmd.Process.Kill(); err != nil {
		p.tb.Fatal(err)
	}
	_ = p.cmd.Wait()
}
