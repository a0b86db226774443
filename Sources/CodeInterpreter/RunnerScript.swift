/// The Python side of a session, run with `python3 -c`: a notebook-like kernel driven over a JSON-lines protocol.
///
/// Requests arrive on stdin, one JSON object a line: `{"id", "op": "exec"|"put"|"get", ...}`; each gets exactly one
/// reply line on stdout with the same id. The runner first moves both channels to private descriptors, so that
/// code reading stdin or writing stdout (Python- or C-level, or from subprocesses) never touches the protocol.
let runnerScript = #"""
# The code interpreter's runner: one per session, driven by the host over a JSON-lines protocol.
# argv: data directory, output limit (bytes kept, so at most as many characters), byte limit for files and images.
import ast, base64, builtins, io, json, linecache, os, stat, sys, threading, traceback, warnings

DATA = os.path.realpath(sys.argv[1])
OUTPUT_LIMIT, BYTE_LIMIT = int(sys.argv[2]), int(sys.argv[3])
MAX_SCAN, MAX_FILES = 10_000, 100
RUNNER, RUNNER_PID = sys._getframe().f_code.co_filename, os.getpid()


class Capture:
    """Drains fds 1 and 2 through a pipe, keeping only the head and tail of what was written."""

    def __init__(self):
        self.half = max(OUTPUT_LIMIT // 2, 1)
        self.read_fd, self.write_fd = os.pipe()
        self.cond = threading.Condition()
        self.marker, self.done = None, None
        self.head, self.tail, self.total = bytearray(), bytearray(), 0
        threading.Thread(target=self.pump, daemon=True).start()

    def attach(self):
        # Undo whatever the previous cell did to the standard streams.
        for name, fd in (("stdout", 1), ("stderr", 2)):
            os.dup2(self.write_fd, fd)
            stream = getattr(sys, "__%s__" % name)
            if stream is None or stream.closed:
                stream = open(fd, "w", buffering=1, encoding="utf-8", errors="backslashreplace", closefd=False)
                setattr(sys, "__%s__" % name, stream)
            setattr(sys, name, stream)

    def keep(self, data):
        self.total += len(data)
        room = self.half - len(self.head)
        if room > 0:
            self.head += data[:room]
            data = data[room:]
        self.tail += data
        del self.tail[:-self.half]

    def take(self):
        head, tail = self.head.decode(errors="replace"), self.tail.decode(errors="replace")
        cut = self.total - len(self.head) - len(self.tail)
        self.head, self.tail, self.total = bytearray(), bytearray(), 0
        if cut <= 0:
            return head + tail
        return "%s\n[... %d bytes of output omitted ...]\n%s" % (head, cut, tail)

    def pump(self):
        carry = b""
        while chunk := os.read(self.read_fd, 1 << 16):
            with self.cond:
                data, carry = carry + chunk, b""
                if self.marker:
                    found = data.find(self.marker)
                    if found >= 0:
                        self.keep(data[:found])
                        data = data[found + len(self.marker):]
                        self.marker, self.done = None, self.take()
                        self.cond.notify_all()
                    else:  # the marker may straddle two reads
                        keep = len(data) - len(self.marker) + 1
                        data, carry = data[:max(keep, 0)], data[max(keep, 0):]
                self.keep(data)

    def collect(self):
        """Everything written since the last call, once the pipe has been drained up to now."""
        flush()
        marker = b"\0" + os.urandom(16).hex().encode() + b"\0"  # unguessable, so user output cannot fake it
        with self.cond:
            self.marker, self.done = marker, None
        os.write(self.write_fd, marker)
        with self.cond:
            if not self.cond.wait_for(lambda: self.done is not None, timeout=10):
                self.marker, self.done = None, self.take()
            return self.done


def flush():
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:
            pass


def inside(name):
    path = os.path.realpath(os.path.join(DATA, name))
    if not path.startswith(DATA + os.sep):
        raise ValueError("%r is outside %s" % (name, DATA))
    return path


def scan():
    """Regular files under DATA: relative name -> (mtime, size, inode)."""
    found, pending, seen = {}, [DATA], 0
    while pending and seen < MAX_SCAN:
        try:
            entries = list(os.scandir(pending.pop()))
        except OSError:
            continue
        for entry in entries:
            seen += 1
            try:
                info = entry.stat(follow_symlinks=False)
            except OSError:
                continue
            if stat.S_ISDIR(info.st_mode):
                pending.append(entry.path)
            elif stat.S_ISREG(info.st_mode):
                found[os.path.relpath(entry.path, DATA)] = (info.st_mtime_ns, info.st_size, info.st_ino)
    return found


def figures(limit):
    """PNGs of the open matplotlib figures, which are then closed; at most `limit` bytes of them."""
    pyplot = sys.modules.get("matplotlib.pyplot")
    if pyplot is None:
        return []
    if limit < BYTE_LIMIT:
        why = "the session's output quota has %d bytes left" % limit
    else:
        why, limit = "images are limited to %d bytes in all" % BYTE_LIMIT, BYTE_LIMIT
    images, size = [], 0
    for number in pyplot.get_fignums():
        buffer = io.BytesIO()
        try:
            pyplot.figure(number).savefig(buffer, format="png")
        except Exception:
            traceback.print_exc()
            continue
        if size + buffer.tell() > limit:
            print("[figure %d omitted: %s]" % (number, why), file=sys.stderr)
            continue
        size += buffer.tell()
        images.append(base64.b64encode(buffer.getvalue()).decode())
    pyplot.close("all")
    return images


class Kernel:
    def __init__(self):
        self.namespace = {"__name__": "__main__", "__builtins__": builtins}
        self.cells = 0
        self.capture = Capture()
        self.capture.attach()
        self.known = scan()

    def run_cell(self, code):
        """Runs code like a notebook cell; returns whether it raised."""
        self.cells += 1
        name = "<cell %d>" % self.cells
        linecache.cache[name] = (len(code), None, code.splitlines(True), name)
        try:
            tree = ast.parse(code, name)
            last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
            exec(compile(tree, name, "exec"), self.namespace)
            if last is not None:
                value = eval(compile(ast.Expression(last.value), name, "eval"), self.namespace)
                if value is not None:
                    print(repr(value))
        except BaseException as error:
            tb = None if isinstance(error, SyntaxError) and error.filename == name else error.__traceback__
            while tb is not None and tb.tb_frame.f_code.co_filename == RUNNER:
                tb = tb.tb_next  # hide the runner's own frames
            traceback.print_exception(type(error), error, tb)
            return True
        return False

    def execute(self, code, image_limit):
        self.capture.attach()
        failed = self.run_cell(code)
        if os.getpid() != RUNNER_PID:  # a process the cell forked reached its end: it must not act as the runner
            flush()
            os._exit(1 if failed else 0)
        images = figures(image_limit)
        now = scan()
        changed = sorted(name for name, info in now.items() if self.known.get(name) != info and printable(name))
        self.known = now
        if len(changed) > MAX_FILES:
            print("[%d changed files not returned: at most %d are]" % (len(changed) - MAX_FILES, MAX_FILES),
                  file=sys.stderr)
        files = [{"name": name, "size": now[name][1]} for name in changed[:MAX_FILES]]
        return {"output": self.capture.collect(), "failed": failed, "images": images, "files": files}

    def put(self, name, data):
        path = inside(name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as file:
            file.write(base64.b64decode(data))
        info = os.stat(path)
        self.known[os.path.relpath(path, DATA)] = (info.st_mtime_ns, info.st_size, info.st_ino)
        return {}

    def get(self, name, limit):
        limit = min(limit, BYTE_LIMIT)
        with open(inside(name), "rb") as file:
            if not stat.S_ISREG(os.fstat(file.fileno()).st_mode):
                raise ValueError("%r is not a regular file" % name)
            data = file.read(limit + 1)
        if len(data) > limit:
            raise ValueError("%r is larger than %d bytes" % (name, limit))
        return {"data": data}


def printable(name):
    try:
        name.encode()
        return True
    except UnicodeEncodeError:  # undecodable bytes in the name cannot go into JSON
        return False


def main():
    # Move the protocol off fds 0 and 1, which user code and its subprocesses own.
    requests = os.fdopen(os.dup(0), "rb")
    replies = os.fdopen(os.dup(1), "wb")
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)
    sys.dont_write_bytecode = True
    sys.path.insert(0, DATA)
    os.chdir(DATA)
    warnings.filterwarnings("ignore", message=".*(non-GUI backend|non-interactive)")
    kernel = Kernel()
    handlers = {"exec": lambda r: kernel.execute(r["code"], r.get("limit", BYTE_LIMIT)),
                "put": lambda r: kernel.put(r["name"], r["data"]), "get": lambda r: kernel.get(r["name"], r.get("limit", BYTE_LIMIT))}

    def reply(message):
        data = message.pop("data", None)
        line = json.dumps(message).encode()
        if data is not None:  # base64 is plain ASCII: splice it in rather than have json scan it
            line = line[:-1] + b', "data": "' + base64.b64encode(data) + b'"}'
        replies.write(line + b"\n")
        replies.flush()

    reply({"id": 0, "ok": True})
    for line in requests:
        request = json.loads(line)
        try:
            reply({"id": request["id"], "ok": True, **handlers[request["op"]](request)})
        except Exception as error:
            reply({"id": request["id"], "ok": False, "error": "%s: %s" % (type(error).__name__, error)})


main()
"""#
