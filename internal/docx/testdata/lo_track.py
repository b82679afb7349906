# lo_track.py: accept or reject every tracked change of Word documents in
# LibreOffice and save each as UTF-8 text, through python3-uno (no macro
# is stored in any document).
#
#   /usr/bin/python3 lo_track.py SOFFICE PROFILE_DIR PIPE IN MODE OUT [IN MODE OUT ...]
#
# MODE is accept, reject, or none (save as it opens). OUT is UTF-8 text,
# or a Word document when it ends in .docx.
import os
import subprocess
import sys
import time

import uno
from com.sun.star.beans import PropertyValue


def prop(name, value):
    p = PropertyValue()
    p.Name, p.Value = name, value
    return p


def main():
    soffice, profile, pipe = sys.argv[1:4]
    jobs = sys.argv[4:]
    office = subprocess.Popen([soffice, "--headless", "--invisible", "--nologo", "--norestore", "--nodefault",
                               "-env:UserInstallation=" + uno.systemPathToFileUrl(os.path.abspath(profile)),
                               "--accept=pipe,name=%s;urp;" % pipe])
    try:
        local = uno.getComponentContext()
        resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
        ctx = None
        for _ in range(240):
            try:
                ctx = resolver.resolve("uno:pipe,name=%s;urp;StarOffice.ComponentContext" % pipe)
                break
            except Exception:
                if office.poll() is not None:
                    sys.exit("soffice exited with %s" % office.returncode)
                time.sleep(0.5)
        if ctx is None:
            sys.exit("could not connect to soffice")
        smgr = ctx.ServiceManager
        desktop = smgr.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
        dispatcher = smgr.createInstanceWithContext("com.sun.star.frame.DispatchHelper", ctx)
        for k in range(0, len(jobs), 3):
            src, mode, out = jobs[k:k + 3]
            doc = desktop.loadComponentFromURL(uno.systemPathToFileUrl(os.path.abspath(src)), "_blank", 0, (prop("Hidden", True),))
            if doc is None:
                sys.exit("LibreOffice could not open " + src)
            frame = doc.getCurrentController().getFrame()
            if mode == "accept":
                dispatcher.executeDispatch(frame, ".uno:AcceptAllTrackedChanges", "", 0, ())
            elif mode == "reject":
                dispatcher.executeDispatch(frame, ".uno:RejectAllTrackedChanges", "", 0, ())
            if out.endswith(".docx"):
                store = (prop("FilterName", "MS Word 2007 XML"),)
            else:
                store = (prop("FilterName", "Text (encoded)"), prop("FilterOptions", "UTF8"))
            doc.storeToURL(uno.systemPathToFileUrl(os.path.abspath(out)), store)
            doc.close(True)
        try:
            desktop.terminate()
        except Exception:
            pass  # the bridge closes as soffice exits
    finally:
        try:
            office.wait(timeout=60)
        except subprocess.TimeoutExpired:
            office.kill()


main()
