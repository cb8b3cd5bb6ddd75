/**
 * What an error says to the person, in their language: one message per code (for errors without
 * a reason) and per registered reason (contract/error-reasons.ts), filled from the reason's
 * parameters. The engine's English `message` is for logs; nothing here quotes it, so no engine
 * English reaches a Chinese screen. Used by the renderer (its catalogue includes these keys, so
 * `errorText(err, t)` words them) and by the CLI. Pure data and string functions.
 *
 * Messages say what happened and, where there is something to do, what to do — in words: no
 * commands, no backticks, no field names from the code.
 */
import type { ErrorCode, ErrorReason, NamedField, RequestProblem } from './contract/error-reasons.ts';
import { isErrorReason, NAMED_FIELDS, REQUEST_PROBLEMS } from './contract/error-reasons.ts';

export type ErrorLang = 'zh-CN' | 'en';

type Catalogue = Record<`error.${ErrorCode}`, string> &
  Record<`reason.${ErrorReason}`, string> &
  Record<`request.problem.${RequestProblem}`, string> &
  Record<`request.field.${NamedField | 'other'}`, string>;

const zh = {
  'error.BAD_REQUEST': '这个操作无法完成：收到的内容不符合要求。',
  'error.NOT_FOUND': '要找的内容已经不在了，可能已被移动或删除。',
  'error.UNSUPPORTED': '当前模式不支持这个操作。',
  'error.ENGINE_UNAVAILABLE': '拾光的后台服务还没有准备好，请稍后重试。',
  'error.MODEL_ERROR': '模型无法运行。请检查模型文件是否完整，或在设置里换一个模型。',
  'error.NO_MODEL': '还没有选择模型：请先下载并启用一个模型。',
  'error.LIBRARY_DAMAGED': '照片库的数据库文件已损坏。你的照片没有受到影响。重建会把损坏的文件另存一旁，并重新索引所有照片。',
  'error.DISK_FULL': '磁盘已满，索引已暂停。没有丢失任何内容：腾出空间后会从中断处继续。',
  'error.LIBRARY_BUSY': '照片库正被另一个拾光进程占用，请稍后重试。',
  'error.INTERNAL': '出了意外的错误。请重试；如果一直这样，日志里有详细原因。',
  'error.NETWORK': '无法连接到拾光服务。请确认它仍在运行，然后重试。',
  'error.UNAUTHORIZED': '访问令牌无效或已过期。请用终端里打印的完整链接重新打开此页面。',

  'reason.invalid-request': '{field}不符合要求。',
  'reason.unknown-method': '拾光不认识这个操作（{method}）。界面和后台的版本可能不一致，请重新打开拾光。',
  'reason.request-not-json': '收到的内容无法读取。请刷新页面后重试。',
  'reason.request-untrusted': '这个请求不是来自拾光自己的窗口，已被拒绝。',
  'reason.desktop-only': '这个操作只能在桌面应用里使用。',
  'reason.service-missing': '当前模式不支持这个操作。',
  'reason.cursor-invalid': '无法继续加载这组结果。请重新搜索。',
  'reason.cursor-stale': '搜索条件已经变了，这组结果无法继续加载。请重新搜索。',
  'reason.date-invalid': '“{value}”不是有效的日期。',
  'reason.date-range-empty': '日期范围是空的：开始日期晚于结束日期。',
  'reason.hours-range-empty': '时段是空的：开始和结束是同一时刻（{start} 点）。',
  'reason.tag-one-at-a-time': '一次只能按一个标签筛选：“{tag}”和“{other}”只能选一个。',
  'reason.query-empty': '请先输入要找的内容。',
  'reason.image-empty': '这个图片文件是空的。',
  'reason.image-unreadable': '无法读取这张图片：文件可能已损坏，或者不是支持的图片格式。',
  'reason.image-expired': '这张图片的搜索已过期，请重新拖入图片。',
  'reason.photo-unknown': '找不到这张照片（编号 {id}）：它可能已从图库中移除。',
  'reason.photo-not-indexed': '{path} 还没有建立索引，暂时无法查找相似的照片。',
  'reason.photo-not-read': '拾光不读取这个文件（它是一个链接，或者文件名无法识别）。',
  'reason.photo-file-gone': '照片文件已经不在了：{path}。它可能已被移动或删除。',
  'reason.photo-no-live-clip': '这张照片没有实况视频：它旁边没有同名的几秒钟的短视频。',
  'reason.photo-outside-library': '这张照片不在图库的文件夹里，无法打开。',
  'reason.photo-not-image': '这个文件不是图片，无法打开。',
  'reason.photo-open-failed': '无法用系统查看器打开这张照片。请重试。',
  'reason.thumbnail-failed': '无法为 {name} 生成缩略图：文件可能已损坏。',
  'reason.video-not-a-video': '这个文件（编号 {id}）不是视频。',
  'reason.video-not-indexed': '视频 {path} 还没有处理完，暂时无法显示其中的画面。请稍后重试。',
  'reason.video-frame-failed': '无法显示 {name} 中的这一帧：视频文件可能已损坏。',
  'reason.folder-offline': '这张照片所在的文件夹 {path} 现在离线（硬盘未连接或无法访问）。连接后即可打开。',
  'reason.folder-none': '请输入一个文件夹路径。',
  'reason.folder-relative': '“{path}”是相对路径。请输入文件夹的完整路径（例如 /home/me/Pictures 或 ~/Pictures）：相对路径会相对于服务器自己的工作目录，而不是你所在的位置。',
  'reason.folder-missing': '找不到文件夹 {path}。请检查路径是否拼写正确，或者它所在的硬盘是否已连接。',
  'reason.folder-not-a-folder': '{path} 是一个文件，不是文件夹。',
  'reason.folder-unreadable': '无法读取文件夹 {path}（没有权限，或它没有响应）。',
  'reason.folder-inside-library': '{path} 已经在图库中：它位于图库文件夹 {root} 之内。',
  'reason.folder-holds-offline': '{path} 包含图库文件夹 {root}，而它现在离线。请先连接它，再添加 {path}。',
  'reason.stack-same-file': '这些是同一个文件的完全相同的副本，它们就是同一张照片，无法分开。',
  'reason.stack-none': '{name} 不属于任何一组副本或连拍。',
  'reason.tag-builtin': '“{name}”是内置标签，只有自定义标签可以删除。',
  'reason.threads-range': '线程数必须是 1 到 {max} 之间的整数（这台电脑的逻辑核心数）。',
  'reason.provider-unknown': '不认识的推理设备“{value}”。',
  'reason.sensitivity-range': '结果范围必须是 {min} 到 {max} 之间的整数。',
  'reason.source-invalid': '无法识别下载源“{value}”。请写成一个网址，或在前面加上 hf: 或 modelscope:。',
  'reason.no-model': '还没有选择模型：请先下载并启用一个模型。',
  'reason.model-unknown': '没有叫 {model} 的模型。',
  'reason.model-not-hosted': '{model} 没有可以直接下载的版本。请选择另一个模型。',
  'reason.model-precision-unavailable': '{model} 没有 {precision} 版本可以下载（可下载：{hosted}）。',
  'reason.model-not-installed': '{model} 还没有安装：请先下载。',
  'reason.model-remove-unknown': '没有安装叫 {model} 的模型，没有什么可删除的。',
  'reason.model-none-chosen': '还没有选择模型。可以下载一个：{download}；或导入一个官方导出的模型：{import}；或者用 {flag} 指定模型所在的文件夹。',
  'reason.model-dir-missing': '找不到模型文件夹 {path}：请检查路径是否正确。',
  'reason.model-dir-not-a-model': '{path} 里没有可用的模型：需要 {expected} 这样的文件。',
  'reason.model-import-several-sizes': '{path} 里有几种规格的导出（{sizes}）：请用 {flag} 选一种。',
  'reason.model-import-graph-missing': '{path} 里缺少 {file}：一个模型需要图像和文字两个部分的文件。',
  'reason.model-manifest-invalid': '{file} 不是有效的模型描述文件。',
  'reason.model-id-invalid': '模型名称 {model} 不能用作文件夹名：请在模型描述文件里换一个只含小写字母、数字、点、横线和下划线的名称。',
  'reason.model-test-failed': '{path} 里的模型试运行没有通过，所以没有安装。文件可能不完整、已损坏，或者不是拾光能用的模型。',
  'reason.model-already-installed': '{model} 已经安装在 {dir}。要替换它，请加上 {replace}；或者先运行 {remove}。',
  'reason.model-import-failed': '没能导入 {path}：复制文件时出错。请检查文件能否读取、磁盘是否可写，然后重试。',
  'reason.model-downloading': '{model} 还在下载中，下载完成后就可以使用。',
  'reason.model-unusable': '{model} 已安装，但文件不完整或已损坏，无法使用。请重新下载。',
  'reason.model-open-failed': '无法加载模型 {model}。请检查模型文件是否完整，或在设置里换一个推理设备或模型。',
  'reason.model-choice-unsaved': '已经启用 {model}，但没能保存这个选择：下次打开时可能需要重新选择。请检查数据目录是否可写。',
  'reason.quantize-not-fp32': '{model} 是 {precision} 版本：只能从 fp32 版本生成 int8 版本。',
  'reason.quantize-no-photos': '图库里还没有已索引的照片，无法检验 int8 版本。请先添加文件夹并等待索引完成。',
  'reason.engine-closing': '拾光正在关闭。',
  'reason.engine-timeout': '后台服务在 {seconds} 秒内没有回应。请重试。',
  'reason.engine-unreachable': '无法连接拾光的后台服务。请重试。',
  'reason.engine-starting': '后台服务启动已超过 {seconds} 秒，仍在启动中。请稍后重试。',
  'reason.engine-stopped': '后台服务已停止。请重新打开拾光。',
  'reason.engine-failing': '后台服务反复出错，已不再自动重启。请重新打开拾光；日志里有详细原因。',
  'reason.engine-start-failed': '后台服务无法启动。请重新打开拾光；日志里有详细原因。',
  'reason.engine-restarted': '后台服务刚刚重启，这个操作没有完成。请重试。',
  'reason.library-damaged': '照片库的数据库文件已损坏。你的照片没有受到影响。重建会把损坏的文件另存一旁，并重新索引所有照片。',
  'reason.library-not-damaged': '照片库没有损坏，不需要重建。',
  'reason.library-busy': '照片库正被另一个拾光进程占用，请稍后重试。',
  'reason.library-watched': '这个图库已经由另一个拾光在跟随（{host} 上的进程 {pid}：{command}，{since} 起）。同一时间只能有一个拾光跟随图库的文件夹，请先停止那一个；搜索和查看状态可以同时进行。',
  'reason.library-watched-unknown': '这个图库已经由另一个拾光在跟随。同一时间只能有一个拾光跟随图库的文件夹，请先停止那一个；搜索和查看状态可以同时进行。',
  'reason.disk-full': '存放照片库的磁盘已满，索引已暂停。没有丢失任何内容：腾出空间后会从中断处继续。',

  'request.problem.too-long': '{field}太长了：最多 {limit} 个字。',
  'request.problem.too-short': '{field}太短了：至少 {limit} 个字。',
  'request.problem.empty': '{field}不能为空。',
  'request.problem.too-large': '{field}太大了：最大是 {limit}。',
  'request.problem.too-small': '{field}太小了：最小是 {limit}。',
  'request.problem.too-many': '{field}太多了：最多 {limit} 项。',
  'request.problem.too-few': '{field}太少了：至少 {limit} 项。',
  'request.problem.not-whole': '{field}必须是整数。',
  'request.problem.wrong-type': '{field}的类型不对。',
  'request.problem.not-allowed': '{field}不是允许的值。',
  'request.problem.unknown-field': '请求里有拾光不认识的一项。界面和后台的版本可能不一致，请重新打开拾光。',
  'request.problem.bad-format': '{field}的格式不对。',
  'request.field.query': '搜索内容',
  'request.field.path': '文件夹路径',
  'request.field.name': '名称',
  'request.field.threads': '线程数',
  'request.field.sources': '下载源',
  'request.field.source': '下载源',
  'request.field.provider': '推理设备',
  'request.field.after': '开始日期',
  'request.field.before': '结束日期',
  'request.field.plain': '搜索内容中保留的词',
  'request.field.dataBase64': '图片',
  'request.field.other': '请求中的一项',
} as const satisfies Catalogue;

export type ErrorMessageKey = keyof typeof zh;

const en: Record<ErrorMessageKey, string> = {
  'error.BAD_REQUEST': 'This could not be done: what was sent is not valid.',
  'error.NOT_FOUND': 'It is no longer there; it may have been moved or deleted.',
  'error.UNSUPPORTED': 'This action is not available in this mode.',
  'error.ENGINE_UNAVAILABLE': 'The Shiguang service is not ready yet. Please retry in a moment.',
  'error.MODEL_ERROR': 'The model cannot run. Check that its files are complete, or choose another model in Settings.',
  'error.NO_MODEL': 'No model is chosen yet: download and enable one first.',
  'error.LIBRARY_DAMAGED': 'The library database is damaged. Your photos are not affected. Rebuilding sets the damaged file aside and indexes every photo again.',
  'error.DISK_FULL': 'The disk is full, so indexing stopped. Nothing is lost: it continues where it stopped once there is space.',
  'error.LIBRARY_BUSY': 'Another Shiguang process is using the library. Please retry in a moment.',
  'error.INTERNAL': 'Something unexpected went wrong. Please retry; if it keeps happening, the log has the details.',
  'error.NETWORK': 'Cannot reach the Shiguang service. Make sure it is still running, then retry.',
  'error.UNAUTHORIZED': 'The access token is missing or expired. Reopen the full link printed in the terminal.',

  'reason.invalid-request': '{field} is not valid.',
  'reason.unknown-method': 'Shiguang does not know this action ({method}). The window and the service may be different versions: reopen Shiguang.',
  'reason.request-not-json': 'What was sent could not be read. Reload the page and retry.',
  'reason.request-untrusted': 'This request did not come from Shiguang\'s own window and was refused.',
  'reason.desktop-only': 'This action is only available in the desktop app.',
  'reason.service-missing': 'This action is not available in this mode.',
  'reason.cursor-invalid': 'These results cannot be continued. Search again.',
  'reason.cursor-stale': 'The search changed, so these results cannot be continued. Search again.',
  'reason.date-invalid': '"{value}" is not a valid date.',
  'reason.date-range-empty': 'The date range is empty: the start is after the end.',
  'reason.hours-range-empty': 'The time of day range is empty: it starts and ends at {start}:00.',
  'reason.tag-one-at-a-time': 'Filter by one tag at a time: "{tag}" or "{other}".',
  'reason.query-empty': 'Type what you are looking for first.',
  'reason.image-empty': 'This image file is empty.',
  'reason.image-unreadable': 'This image cannot be read: the file may be damaged, or not in a supported image format.',
  'reason.image-expired': 'This image search has expired: drop the image again.',
  'reason.photo-unknown': 'This photo (number {id}) is not in the library; it may have been removed.',
  'reason.photo-not-indexed': '{path} is not indexed yet, so similar photos cannot be found for it yet.',
  'reason.photo-not-read': 'Shiguang does not read this file (it is a link, or its name cannot be read).',
  'reason.photo-file-gone': 'The photo file is gone: {path}. It may have been moved or deleted.',
  'reason.photo-no-live-clip': 'This photo has no Live Photo clip (no .MOV of the same name beside it).',
  'reason.photo-outside-library': 'This photo is not inside a library folder, so it cannot be opened.',
  'reason.photo-not-image': 'This file is not an image, so it cannot be opened.',
  'reason.photo-open-failed': 'The photo could not be opened in the system viewer. Please retry.',
  'reason.thumbnail-failed': 'No thumbnail could be made of {name}: the file may be damaged.',
  'reason.video-not-a-video': 'This file (number {id}) is not a video.',
  'reason.video-not-indexed': 'The video {path} is not processed yet, so its frames cannot be shown yet. Please retry in a moment.',
  'reason.video-frame-failed': 'This frame of {name} cannot be shown: the video file may be damaged.',
  'reason.folder-offline': 'The folder of this photo, {path}, is offline (its drive is not connected or cannot be reached). Connect it to open the photo.',
  'reason.folder-none': 'Type a folder path.',
  'reason.folder-relative': '"{path}" is a relative path. Type the folder\'s full path (like /home/me/Pictures or ~/Pictures): a relative one would be read from the server\'s own working folder, not from where you are.',
  'reason.folder-missing': 'Folder not found: {path}. Check the spelling, or whether its drive is connected.',
  'reason.folder-not-a-folder': '{path} is a file, not a folder.',
  'reason.folder-unreadable': 'The folder {path} cannot be read (no permission, or it does not answer).',
  'reason.folder-inside-library': '{path} is already in the library: it is inside the library folder {root}.',
  'reason.folder-holds-offline': '{path} holds the library folder {root}, which is offline. Connect it first, then add {path}.',
  'reason.stack-same-file': 'These are byte-identical copies of one file: they are the same photo and cannot be separated.',
  'reason.stack-none': '{name} is in no group of copies or burst.',
  'reason.tag-builtin': '"{name}" is a built-in tag; only custom tags can be removed.',
  'reason.threads-range': 'Threads must be a whole number from 1 to {max} (this machine\'s logical cores).',
  'reason.provider-unknown': 'Unknown execution provider "{value}".',
  'reason.sensitivity-range': 'The result range must be a whole number from {min} to {max}.',
  'reason.source-invalid': 'The download source "{value}" cannot be read. Write it as a web address, optionally starting with hf: or modelscope:.',
  'reason.no-model': 'No model is chosen yet: download and enable one first.',
  'reason.model-unknown': 'There is no model called {model}.',
  'reason.model-not-hosted': '{model} has no ready-made download. Choose another model.',
  'reason.model-precision-unavailable': '{model} cannot be downloaded in {precision} (downloadable: {hosted}).',
  'reason.model-not-installed': '{model} is not installed yet: download it first.',
  'reason.model-remove-unknown': 'No model called {model} is installed; there is nothing to remove.',
  'reason.model-none-chosen': 'No model is chosen yet. Download one with {download}, import an official export with {import}, or pass {flag}.',
  'reason.model-dir-missing': 'Model folder not found: {path}. Check the path.',
  'reason.model-dir-not-a-model': '{path} holds no model: it needs files such as {expected}.',
  'reason.model-import-several-sizes': '{path} holds exports of several sizes ({sizes}): choose one with {flag}.',
  'reason.model-import-graph-missing': '{path} lacks {file}: a Chinese-CLIP model needs both its image and its text graph.',
  'reason.model-manifest-invalid': '{file} is not a valid model description (manifest.json).',
  'reason.model-id-invalid': 'The model name {model} cannot be a folder name: give it one of lower-case letters, digits, dots, dashes and underscores in manifest.json.',
  'reason.model-test-failed': 'The model in {path} failed its test run, so it was not installed. Its files may be incomplete or damaged, or not a Chinese-CLIP model.',
  'reason.model-already-installed': '{model} is already installed in {dir}. To replace it, add {replace}, or run {remove} first.',
  'reason.model-import-failed': 'Importing {path} failed while copying its files. Check that they can be read and the disk can be written, then try again.',
  'reason.model-downloading': '{model} is still downloading; it can be used once the download finishes.',
  'reason.model-unusable': '{model} is installed, but its files are incomplete or damaged. Download it again.',
  'reason.model-open-failed': 'The model {model} could not be loaded. Check that its files are complete, or choose another execution provider or model in Settings.',
  'reason.model-choice-unsaved': '{model} is enabled, but the choice could not be saved: you may have to choose it again next time. Check that the data folder can be written.',
  'reason.quantize-not-fp32': '{model} is {precision}: an int8 version can only be made from fp32.',
  'reason.quantize-no-photos': 'The library has no indexed photos to check an int8 version on yet. Add a folder and let it index first.',
  'reason.engine-closing': 'Shiguang is closing.',
  'reason.engine-timeout': 'The service did not answer within {seconds} s. Please retry.',
  'reason.engine-unreachable': 'Cannot reach the Shiguang service. Please retry.',
  'reason.engine-starting': 'The service is still starting after {seconds} s. Please retry in a moment.',
  'reason.engine-stopped': 'The service has stopped. Reopen Shiguang.',
  'reason.engine-failing': 'The service keeps failing and is not restarted any more. Reopen Shiguang; the log has the details.',
  'reason.engine-start-failed': 'The service could not start. Reopen Shiguang; the log has the details.',
  'reason.engine-restarted': 'The service just restarted and this action did not finish. Please retry.',
  'reason.library-damaged': 'The library database is damaged. Your photos are not affected. Rebuilding sets the damaged file aside and indexes every photo again.',
  'reason.library-not-damaged': 'The library is not damaged: there is nothing to rebuild.',
  'reason.library-busy': 'Another Shiguang process is using the library. Please retry in a moment.',
  'reason.library-watched': 'This library is already being watched by process {pid} on {host} ({command}), since {since}. Only one Shiguang follows a library’s folders at a time: stop that one first. Searching and status work beside it.',
  'reason.library-watched-unknown': 'This library is already being watched by another process. Only one Shiguang follows a library’s folders at a time: stop that one first. Searching and status work beside it.',
  'reason.disk-full': 'The disk holding the library is full, so indexing stopped. Nothing is lost: it continues where it stopped once there is space.',

  'request.problem.too-long': '{field} is too long: at most {limit} characters.',
  'request.problem.too-short': '{field} is too short: at least {limit} characters.',
  'request.problem.empty': '{field} cannot be empty.',
  'request.problem.too-large': '{field} is too large: at most {limit}.',
  'request.problem.too-small': '{field} is too small: at least {limit}.',
  'request.problem.too-many': '{field} has too many items: at most {limit}.',
  'request.problem.too-few': '{field} has too few items: at least {limit}.',
  'request.problem.not-whole': '{field} must be a whole number.',
  'request.problem.wrong-type': '{field} has the wrong type.',
  'request.problem.not-allowed': '{field} is not one of the allowed values.',
  'request.problem.unknown-field': 'The request has an item Shiguang does not know. The window and the service may be different versions: reopen Shiguang.',
  'request.problem.bad-format': '{field} is not in the right format.',
  'request.field.query': 'The search text',
  'request.field.path': 'The folder path',
  'request.field.name': 'The name',
  'request.field.threads': 'The number of threads',
  'request.field.sources': 'The download sources',
  'request.field.source': 'The download source',
  'request.field.provider': 'The execution provider',
  'request.field.after': 'The start date',
  'request.field.before': 'The end date',
  'request.field.plain': 'The words kept in the search',
  'request.field.dataBase64': 'The image',
  'request.field.other': 'A value in the request',
};

export const errorMessages: Readonly<Record<ErrorLang, Readonly<Record<ErrorMessageKey, string>>>> = { 'zh-CN': zh, en };

/** An error as any process holds it: a code and, when the engine gave one, a reason with its parameters. */
export interface WordableError {
  code: string;
  detail?: { reason: string; [param: string]: string };
}

/** Looks a key up in some catalogue holding these keys and fills its {placeholders}. */
export type Lookup = (key: ErrorMessageKey, vars?: Record<string, string>) => string;

/** The field an invalid request names, in words: its last named path segment (filter.after → after), else "a value". */
export function fieldKey(field: string | undefined): ErrorMessageKey {
  const last = (field ?? '').split('.').filter((s) => s !== '' && !/^\d+$/.test(s)).pop();
  return last && (NAMED_FIELDS as readonly string[]).includes(last) ? (`request.field.${last}` as ErrorMessageKey) : 'request.field.other';
}

/** The whole message for an error, from whichever catalogue `lookup` reads. */
export function describeError(lookup: Lookup, err: WordableError): string {
  const d = err.detail;
  if (d && isErrorReason(d.reason)) {
    if (d.reason === 'invalid-request') {
      const field = lookup(fieldKey(d.field));
      const problem = (REQUEST_PROBLEMS as readonly string[]).includes(d.kind ?? '') ? (`request.problem.${d.kind}` as ErrorMessageKey) : 'reason.invalid-request';
      return lookup(problem, { field, limit: d.limit ?? '' });
    }
    return lookup(`reason.${d.reason}`, d);
  }
  const code = `error.${err.code}` as ErrorMessageKey;
  return code in zh ? lookup(code) : lookup('error.INTERNAL');
}

function fill(template: string, vars?: Record<string, string>): string {
  return vars ? template.replace(/\{(\w+)\}/g, (m, k: string) => vars[k] ?? m) : template;
}

/** The message in one language (the CLI; tests). */
export function errorMessage(lang: ErrorLang, err: WordableError): string {
  return describeError((key, vars) => fill(errorMessages[lang][key], vars), err);
}
