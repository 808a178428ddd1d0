package scenarios_test

import (
	"strings"
	"testing"

	. "github.com/onsi/gomega"

	"github.com/livehook/livehook/scenarios"
)

const varsFile = `
vars:
  seats: 8
  app: http://127.0.0.1:8000
scenarios:
  - name: "seats ${vars.seats}"
    steps:
      - create_room: {RoomInfo: {MaxSeatCount: "${vars.seats}"}}
      - check: {url: "${vars.app}/rooms"}
`

func TestWithVarsOverridesTheFilesVars(t *testing.T) {
	g := NewWithT(t)
	f, err := scenarios.Parse("v.yaml", strings.NewReader(varsFile),
		scenarios.WithVars(map[string]string{"seats": "9", "app": "http://env:1"}),
		scenarios.WithVars(map[string]string{"app": "http://flag:2", "undeclared": "x"}))
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(f.Vars).To(Equal(map[string]string{"seats": "9", "app": "http://flag:2"}), "later options win; undeclared names are left out")
	s := f.Scenarios[0]
	g.Expect(s.Name).To(Equal("seats 9"))
	g.Expect(*s.Steps[0].CreateRoom.RoomInfo.MaxSeatCount).To(Equal(9), "a variable given as text still stands for a number")
	g.Expect(s.Steps[1].Check.URL).To(Equal("http://flag:2/rooms"))

	f, err = scenarios.Parse("v.yaml", strings.NewReader(varsFile))
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(*f.Scenarios[0].Steps[0].CreateRoom.RoomInfo.MaxSeatCount).To(Equal(8), "without options the file's values stand")
}

func TestWithVarsValuesAreCheckedLikeTheFilesOwn(t *testing.T) {
	_, err := scenarios.Parse("v.yaml", strings.NewReader(varsFile), scenarios.WithVars(map[string]string{"seats": "eight"}))
	NewWithT(t).Expect(err).To(MatchError(ContainSubstring(`v.yaml:8:48: scenario "seats eight": step 1: create_room.RoomInfo.MaxSeatCount: want an integer, got "eight" (from ${vars.seats})`)))
}

func TestCheckVarsNamesWhatNoFileDeclares(t *testing.T) {
	g := NewWithT(t)
	a, err := scenarios.Parse("a.yaml", strings.NewReader(varsFile))
	g.Expect(err).NotTo(HaveOccurred())
	b, err := scenarios.Parse("b.yaml", strings.NewReader("vars: {api: x}\nscenarios:\n  - name: b\n    steps: [{wait: 1ms}]\n"))
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(scenarios.CheckVars([]*scenarios.File{a, b}, []string{"seats", "api"})).To(Succeed(), "each name declared by one of the files")
	err = scenarios.CheckVars([]*scenarios.File{a, b}, []string{"sets", "zzz"})
	g.Expect(err).To(MatchError(ContainSubstring(`variable "sets" is not declared under vars: in any file (did you mean "seats"?); the files declare api, app, seats`)))
	g.Expect(err).To(MatchError(ContainSubstring(`variable "zzz" is not declared`)))
	c, err := scenarios.Parse("c.yaml", strings.NewReader("scenarios:\n  - name: c\n    steps: [{wait: 1ms}]\n"))
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(scenarios.CheckVars([]*scenarios.File{c}, []string{"app"})).To(MatchError(ContainSubstring("no file declares any; declare it with a default under vars:")))
}

func TestParseVarAndVarsFromEnv(t *testing.T) {
	g := NewWithT(t)
	name, value, err := scenarios.ParseVar("app=http://h:1/?a=b")
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect([]string{name, value}).To(Equal([]string{"app", "http://h:1/?a=b"}), "the value may hold =")
	_, value, err = scenarios.ParseVar("empty=")
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(value).To(BeEmpty())
	for _, bad := range []string{"app", "=x", "vars.app=x", "${app}=x"} {
		_, _, err := scenarios.ParseVar(bad)
		g.Expect(err).To(HaveOccurred(), bad)
	}
	g.Expect(scenarios.VarsFromEnv([]string{"HOME=/root", "LIVEHOOK_VAR_app=http://h", "LIVEHOOK_VAR_=x", "LIVEHOOK_TARGET=t", "LIVEHOOK_VAR_n=1=2"})).
		To(Equal(map[string]string{"app": "http://h", "n": "1=2"}))
}
