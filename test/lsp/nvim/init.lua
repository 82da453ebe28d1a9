-- Neovim (0.7 or later) as the client of `ci-bgsafe lsp`: opens the file given on the command line,
-- waits for the server's diagnostics and writes them, one `line:col code` a line (1-based), to $OUT.
local bin = os.getenv('CI_BGSAFE_BIN')
local out = os.getenv('OUT')

local function finish(lines)
  local f = assert(io.open(out, 'w'))
  f:write(table.concat(lines, '\n'), '\n')
  f:close()
  vim.cmd('qall!')
end

vim.api.nvim_create_autocmd('BufReadPost', {
  pattern = '*.yml',
  callback = function(args)
    local client = vim.lsp.start_client({
      name = 'ci-bgsafe',
      cmd = { 'node', bin, 'lsp', '--stdio' },
      root_dir = vim.fn.fnamemodify(args.file, ':p:h'),
    })
    vim.lsp.buf_attach_client(args.buf, client)
    local ok = vim.wait(30000, function() return #vim.diagnostic.get(args.buf) > 0 end, 50)
    if not ok then return finish({ 'no diagnostics' }) end
    local lines = {}
    for _, d in ipairs(vim.diagnostic.get(args.buf)) do
      table.insert(lines, string.format('%d:%d %s', d.lnum + 1, d.col + 1, d.code or (d.user_data and d.user_data.lsp and d.user_data.lsp.code) or '?'))
    end
    table.sort(lines)
    vim.lsp.stop_client(client)
    finish(lines)
  end,
})
