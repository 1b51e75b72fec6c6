/* Loaded synchronously in <head>: marks that scripts run, before the first paint (CSS hides the
   no-script fallbacks under .js; other classes on <html>, such as large-print, stay). A file,
   not an inline script: the Content-Security-Policy allows scripts from this site only. */
document.documentElement.classList.replace("no-js", "js");
