package recording_test

import (
	"bytes"
	"fmt"
	"strings"
	"time"

	"github.com/livehook/livehook/recording"
)

func ExampleScanner() {
	var file bytes.Buffer
	w := recording.NewWriter(&file)
	_ = w.Write(recording.Entry{Time: time.Unix(1700000000, 0), Seq: 1, Method: "POST", Query: "SdkAppid=1400000001",
		Body: []byte(`{"RoomId":"r1","Owner_Account":144115216631667826}`)})
	file.WriteString(`{"v":1,"seq":2,"meth`) // the writer was killed here

	sc := recording.NewScanner(strings.NewReader(file.String()))
	for sc.Scan() {
		e := sc.Entry()
		fmt.Printf("#%d %s\n", e.Seq, e.Body)
	}
	skips, _ := sc.Skipped()
	fmt.Println(skips[0].Line, skips[0].Reason[:5])
	// Output:
	// #1 {"RoomId":"r1","Owner_Account":144115216631667826}
	// 2 torn:
}

func ExampleRedactor() {
	r := recording.NewRedactor([]byte("secret key"))
	e := recording.Entry{Method: "POST", Body: []byte(`{"Operator_Account":"alice","RoomId":"r1", "RoomInfo": {"Owner_Account": 144115216631667826}}`)}
	r.Entry(&e)
	fmt.Println(string(e.Body))
	// Output:
	// {"Operator_Account":"user_6b4e2ca10b21fcfb","RoomId":"r1", "RoomInfo": {"Owner_Account": 842397862729548248}}
}
