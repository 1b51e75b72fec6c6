/* Loaded synchronously in <head>: marks that scripts run, before the first paint (CSS hides the
   no-script fallbacks under .js). A file, not an inline script: the Content-Security-Policy
   allows scripts from this site only. */
document.documentElement.className = "js";
