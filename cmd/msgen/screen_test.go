package main

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"
)

// screen is a small VT100-style terminal emulator for the terminal tests.
// It keeps the grid of characters that a person would see, so that a test
// asserts on the screen, not on the escape sequences that draw it. It
// follows the cursor movement, erase, scroll and save and restore
// sequences that Bubble Tea's renderer and huh's accessible mode write. It
// ignores colours and modes, and replies to the cursor position and colour
// queries that a program sends to learn about the terminal.
//
// TODO: give wide characters such as CJK two cells. Every character takes
// one cell now, which holds for the characters that huh draws.
type screen struct {
	mu      sync.Mutex
	rows    int
	cols    int
	cells   [][]rune
	row     int
	col     int
	saved   [2]int
	replies io.Writer

	// Parser state between writes.
	state   parseState
	params  []byte
	pending []byte
}

type parseState int

const (
	stateGround parseState = iota
	stateEscape
	stateCharset
	stateCSI
	stateOSC
	stateOSCEscape
)

func newScreen(rows, cols int, replies io.Writer) *screen {
	s := &screen{rows: rows, cols: cols, replies: replies}
	s.cells = make([][]rune, rows)
	for i := range s.cells {
		s.cells[i] = blankLine(cols)
	}
	return s
}

func blankLine(cols int) []rune {
	line := make([]rune, cols)
	for i := range line {
		line[i] = ' '
	}
	return line
}

// Text returns the screen's rows, without trailing spaces, one per line.
func (s *screen) Text() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	lines := make([]string, s.rows)
	for i, line := range s.cells {
		lines[i] = strings.TrimRight(string(line), " ")
	}
	return strings.TrimRight(strings.Join(lines, "\n"), "\n")
}

func (s *screen) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()

	data := append(s.pending, p...)
	s.pending = nil
	for len(data) > 0 {
		if s.state == stateGround && data[0] >= 0x80 {
			if !utf8.FullRune(data) {
				s.pending = append([]byte(nil), data...)
				break
			}
			r, size := utf8.DecodeRune(data)
			s.print(r)
			data = data[size:]
			continue
		}
		s.step(data[0])
		data = data[1:]
	}
	return len(p), nil
}

func (s *screen) step(b byte) {
	switch s.state {
	case stateGround:
		s.control(b)
	case stateEscape:
		s.state = stateGround
		switch b {
		case '[':
			s.state, s.params = stateCSI, s.params[:0]
		case ']':
			s.state, s.params = stateOSC, s.params[:0]
		case '(', ')', '*', '+':
			s.state = stateCharset
		case '7':
			s.saved = [2]int{s.row, s.col}
		case '8':
			s.row, s.col = s.saved[0], s.saved[1]
		case 'D':
			s.lineFeed()
		case 'E':
			s.col = 0
			s.lineFeed()
		case 'M':
			if s.row == 0 {
				s.scrollDown(1)
			} else {
				s.row--
			}
		case 'c':
			*s = *newScreen(s.rows, s.cols, s.replies)
		}
	case stateCharset:
		s.state = stateGround
	case stateCSI:
		if b >= 0x40 && b <= 0x7e {
			s.state = stateGround
			s.csi(b, string(s.params))
			return
		}
		s.params = append(s.params, b)
	case stateOSC:
		switch b {
		case 0x07:
			s.state = stateGround
			s.osc(string(s.params))
		case 0x1b:
			s.state = stateOSCEscape
		default:
			s.params = append(s.params, b)
		}
	case stateOSCEscape:
		s.state = stateGround
		s.osc(string(s.params))
	}
}

func (s *screen) control(b byte) {
	switch b {
	case 0x1b:
		s.state = stateEscape
	case '\r':
		s.col = 0
	case '\n', 0x0b, 0x0c:
		s.lineFeed()
	case '\b':
		if s.col > 0 {
			s.col--
		}
	case '\t':
		s.col = min((s.col/8+1)*8, s.cols-1)
	default:
		if b >= 0x20 && b < 0x7f {
			s.print(rune(b))
		}
	}
}

func (s *screen) print(r rune) {
	if s.col >= s.cols {
		s.col = 0
		s.lineFeed()
	}
	s.cells[s.row][s.col] = r
	s.col++
}

func (s *screen) lineFeed() {
	if s.row == s.rows-1 {
		s.scrollUp(1)
		return
	}
	s.row++
}

func (s *screen) scrollUp(n int) {
	for range min(n, s.rows) {
		s.cells = append(s.cells[1:], blankLine(s.cols))
	}
}

func (s *screen) scrollDown(n int) {
	for range min(n, s.rows) {
		s.cells = append([][]rune{blankLine(s.cols)}, s.cells[:s.rows-1]...)
	}
}

// csi applies a control sequence: params are its parameter bytes, final
// its last byte.
func (s *screen) csi(final byte, params string) {
	private := strings.HasPrefix(params, "?") || strings.HasPrefix(params, ">")
	args := strings.Split(strings.TrimLeft(params, "?>="), ";")
	arg := func(i, def int) int {
		if i >= len(args) || args[i] == "" {
			return def
		}
		n, err := strconv.Atoi(args[i])
		if err != nil {
			return def
		}
		return n
	}
	clampRow := func(r int) int { return max(0, min(r, s.rows-1)) }
	clampCol := func(c int) int { return max(0, min(c, s.cols-1)) }

	switch final {
	case 'A':
		s.row = clampRow(s.row - max(arg(0, 1), 1))
	case 'B':
		s.row = clampRow(s.row + max(arg(0, 1), 1))
	case 'C':
		s.col = clampCol(s.col + max(arg(0, 1), 1))
	case 'D':
		s.col = clampCol(s.col - max(arg(0, 1), 1))
	case 'E':
		s.row, s.col = clampRow(s.row+max(arg(0, 1), 1)), 0
	case 'F':
		s.row, s.col = clampRow(s.row-max(arg(0, 1), 1)), 0
	case 'G':
		s.col = clampCol(arg(0, 1) - 1)
	case 'd':
		s.row = clampRow(arg(0, 1) - 1)
	case 'H', 'f':
		s.row, s.col = clampRow(arg(0, 1)-1), clampCol(arg(1, 1)-1)
	case 'J':
		s.eraseDisplay(arg(0, 0))
	case 'K':
		s.eraseLine(arg(0, 0))
	case 'S':
		s.scrollUp(arg(0, 1))
	case 'T':
		s.scrollDown(arg(0, 1))
	case 'L':
		for range arg(0, 1) {
			s.cells = append(s.cells[:s.row], append([][]rune{blankLine(s.cols)}, s.cells[s.row:s.rows-1]...)...)
		}
	case 'M':
		for range arg(0, 1) {
			s.cells = append(append(s.cells[:s.row:s.row], s.cells[s.row+1:]...), blankLine(s.cols))
		}
	case 'P':
		line := s.cells[s.row]
		n := min(arg(0, 1), s.cols-s.col)
		copy(line[s.col:], line[s.col+n:])
		for i := s.cols - n; i < s.cols; i++ {
			line[i] = ' '
		}
	case 'X':
		for i := s.col; i < min(s.col+arg(0, 1), s.cols); i++ {
			s.cells[s.row][i] = ' '
		}
	case 's':
		s.saved = [2]int{s.row, s.col}
	case 'u':
		s.row, s.col = s.saved[0], s.saved[1]
	case 'n':
		if !private && arg(0, 0) == 6 {
			fmt.Fprintf(s.replies, "\x1b[%d;%dR", s.row+1, s.col+1)
		}
	case 'c':
		if !private {
			io.WriteString(s.replies, "\x1b[?62;22c")
		}
	}
}

func (s *screen) eraseDisplay(mode int) {
	switch mode {
	case 0:
		s.eraseLine(0)
		for r := s.row + 1; r < s.rows; r++ {
			s.cells[r] = blankLine(s.cols)
		}
	case 1:
		s.eraseLine(1)
		for r := 0; r < s.row; r++ {
			s.cells[r] = blankLine(s.cols)
		}
	default:
		for r := range s.cells {
			s.cells[r] = blankLine(s.cols)
		}
	}
}

func (s *screen) eraseLine(mode int) {
	line := s.cells[s.row]
	from, to := s.col, s.cols
	switch mode {
	case 1:
		from, to = 0, min(s.col+1, s.cols)
	case 2:
		from = 0
	}
	for i := from; i < to; i++ {
		line[i] = ' '
	}
}

// osc replies to the colour queries among operating system commands and
// ignores the rest, such as window titles.
func (s *screen) osc(command string) {
	switch command {
	case "10;?":
		io.WriteString(s.replies, "\x1b]10;rgb:ffff/ffff/ffff\x1b\\")
	case "11;?":
		io.WriteString(s.replies, "\x1b]11;rgb:0000/0000/0000\x1b\\")
	}
}
