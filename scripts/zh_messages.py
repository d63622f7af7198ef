"""Writes locale/zh/LC_MESSAGES/messages.po from the table below (edit here, then run)."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import write_po

ZH = {
    "Venue Code": "场所码",
    "Something is not right": "出现了问题",
    "Error code": "错误代码",
    "Back to the start": "返回首页",
    "Scan the venue code at the door with your phone to check in and verify your health status.":
        "进入场所请用手机扫描门口的场所码，完成登记并核验健康状态。",
    "Signed in as": "当前登录",
    "Sign out": "退出登录",
    "Sign in": "登录",
    "Mobile number": "手机号码",
    "Send code": "获取验证码",
    "Enter the code": "输入验证码",
    "We sent a 6-digit code to": "6位验证码已发送至",
    "Code": "验证码",
    "Password": "密码",
    "Staff accounts confirm the sign-in with a password.": "工作人员账号需再输入密码确认登录。",
    "Continue": "继续",
    "Real-name verification": "实名认证",
    "Enter your name and ID number as on your ID card. They are used only for epidemic control.":
        "请输入与身份证一致的姓名和身份证号码，仅用于疫情防控。",
    "The population registry must hold this account's mobile number for your ID number. If it holds another number, or none, bring your ID card to a community service desk to be verified there.":
        "人口库中登记的该身份证号的手机号须与本账号的手机号一致。如登记的是其他号码或没有登记手机号，请携带身份证到社区服务窗口现场核验办理。",
    "Name": "姓名",
    "ID number": "身份证号码",
    "Confirm": "确认",
    "This venue code is valid.": "该场所码有效。",
    "My venues": "我的场所",
    "Apply for a venue code": "申请场所码",
    "No venues yet.": "暂无场所。",
    "Venue name": "场所名称",
    "Category": "场所类别",
    "District": "所属区县",
    "Address": "地址",
    "Manager name": "负责人姓名",
    "Manager phone": "负责人电话",
    "Capacity (people)": "容纳人数",
    "Sub-areas with their own code, one per line (optional)": "需要单独场所码的区域（如车厢、包厢），每行一个（可选）",
    "Submit application": "提交申请",
    "Status": "状态",
    "Reason": "原因",
    "Venue code poster": "场所码海报",
    "Print poster (PDF, A4)": "打印海报（PDF，A4）",
    "English poster": "英文海报",
    "Sub-areas": "区域",
    "Poster": "海报",
    "Old posters will stop working. Continue?": "旧海报将立即失效，确定继续吗？",
    "Re-issue the code (old posters stop working)": "重新生成场所码（旧海报失效）",
    "The poster can be printed once the district approves the application.":
        "区县审核通过后即可打印场所码海报。",
    "Back to my venues": "返回我的场所",
    "Approve venue codes": "场所码审核",
    "Nothing here.": "暂无内容。",
    "Venue": "场所",
    "Approve": "通过",
    "Reason for rejection": "驳回原因",
    "Reject": "驳回",
    "Revoke": "停用",
    "applied": "待审核",
    "approved": "已通过",
    "rejected": "已驳回",
    "revoked": "已停用",
    "Scanned": "已扫码",
    "Pass": "通行",
    "No entry": "禁止通行",
    "Health code": "健康码",
    "Green": "绿码",
    "Yellow": "黄码",
    "Red": "红码",
    "None": "无",
    "Nucleic-acid test": "核酸检测",
    "Negative": "阴性",
    "Positive": "阳性",
    "Pending": "待出结果",
    "No test": "无记录",
    "Sampled %(h)s h ago": "采样于%(h)s小时前",
    "Valid": "有效",
    "Not valid": "无效",
    "Vaccination": "疫苗接种",
    "%(n)s doses": "已接种%(n)s剂",
    "Last": "末次",
    "Itinerary (14 days)": "行程（14天）",
    "Risk area": "到访风险地区",
    "No risk area": "未到访风险地区",
    "Leave": "离开",
    "My scans": "我的扫码记录",
    "Check in at this venue?": "确认在该场所扫码登记？",
    "Check in": "扫码登记",
    "You have left": "您已离开",
    "Your entries are kept for the retention period and used only for epidemic control.":
        "您的扫码记录仅用于疫情防控，保存期满后自动删除。",
    "Entries today": "今日进场记录",
    "Green (entered)": "绿码（已进场）",
    "Yellow (denied)": "黄码（已拦截）",
    "Red (denied)": "红码（已拦截）",
    "Denied in all": "拦截合计",
    "Names and ID numbers are masked. Refreshes every 10 seconds.": "姓名和身份证号已脱敏显示，每10秒自动刷新。",
    "Time": "时间",
    "Result": "结果",
    "Scan volumes": "扫码量",
    "Entries per hour": "每小时进场人次",
    "Entries": "进场",
    "Denied": "拦截",
    "District scan volumes": "本区扫码量",
    "Today's entries": "今日进场记录",
    "Import data": "数据导入",
    "CSV (UTF-8 or GBK), XLSX or JSON Lines, with the columns of the data interface. Good records are kept; rejected ones are listed with their row number.":
        "支持 CSV（UTF-8 或 GBK）、XLSX 和 JSON Lines，列名须符合数据接口规范。合格记录入库，不合格记录按行号列出原因。",
    "Data kind": "数据类别",
    "Source (department)": "数据来源（部门）",
    "File": "文件",
    "Import": "导入",
    "Read": "读取",
    "New": "新增",
    "Updated": "更新",
    "Unchanged": "未变",
    "Refused": "拒收",
    "Row": "行号",
    "Reasons": "原因",
    "Download all rejected rows (CSV)": "下载全部拒收记录（CSV）",
    "Recent batches": "最近导入批次",
    "All sources": "全部来源",
    "Received": "接收时间",
    # Help-scan (帮扫), paper codes, gate scanner, alerts
    "Help-scan": "帮扫",
    "Help-scan · the warmth of Hangzhou": "帮扫·杭州的温暖",
    "Helped today: %(n)s people": "今日已帮扫 %(n)s 人",
    "Check what was read from the ID card": "请核对从身份证识别出的信息",
    "Confirm and check in": "确认并登记",
    "If anything is wrong, correct it or take the photo again below.": "如有错误，请更正或在下方重新拍照。",
    "Add a person (%(n)s of %(max)s)": "添加被帮扫人（第%(n)s人，最多%(max)s人）",
    "Photo of the ID card": "拍摄身份证（人像面）",
    "Read the ID card": "识别身份证",
    "Citizen card number": "市民卡号",
    "Photo of the health code (paper card)": "拍摄健康码（代办卡）",
    "At most %(max)s people can be helped per scan.": "每次最多帮%(max)s人扫码。",
    "Helped people's details are not kept on your account; this page cannot be opened again later.":
        "被帮扫人的信息不会保存在您的账号中，本页面离开后无法再次打开。",
    "Done": "完成",
    "Paper health code": "健康码代办",
    ("For a person without a phone: apply with their name and ID number and print the card. "
     "Scanning the card shows their current health code colour."):
        "为没有手机的人代办：填写其姓名和身份证号码并打印卡片。扫描卡片即可查看其实时健康码颜色。",
    "The card was revoked. Reissue to print a new one.": "该卡已挂失作废，补办即可打印新卡。",
    "Apply and print (PDF)": "申请并打印（PDF）",
    "Card lost: reissue (PDF)": "卡片遗失：补办（PDF）",
    "Revoke the card": "挂失作废",
    "Applications are recorded under your name.": "代办记录将以您的实名留存。",
    "Current colour, looked up now": "实时健康码颜色",
    "Card issue %(n)s": "第%(n)s版",
    "Help-scan alerts": "帮扫异常提醒",
    "Accounts that helped more than %(n)s different people in one day.": "单日帮扫超过%(n)s个不同人员的账号。",
    "Day": "日期",
    "Account": "账号",
    "People helped": "帮扫人数",
    "No alerts.": "暂无提醒。",
    "Gate scanner": "数字哨兵",
    "Queued offline:": "离线待上传：",
    "Recorded offline; verify by hand": "已离线记录，请人工核验",
    "Not recognised": "无法识别",
    "Who used my data": "谁使用了我的数据",
    "Every time epidemic-control staff look at or act on your personal data, it is recorded here with the reason.":
        "防疫工作人员每次查看或处理您的个人数据，都会连同原因记录在此。",
    "Paper health codes": "健康码代办",
    "Gate scanner mode": "数字哨兵模式",
    # Access log (who used my data): audit/words.py
    "Staff looked up your health status": "工作人员查询了您的健康状态",
    "A tracer displayed your name and phone number": "流调人员查看了您的姓名和电话号码（显示电话）",
    "A contact trace was run whose result includes you": "流调人员开展了一次流调，结果中包含您",
    "Your case record was shown in the tracers' list of cases and traces":
        "流调人员查看了病例和流调列表，其中显示了您的病例信息",
    "A tracer viewed a trace result that lists you": "流调人员查看了列有您的流调结果",
    "A tracer viewed a trace's chain graph that includes you": "流调人员查看了包含您的传播链路图",
    "A trace result that lists you was exported to a file": "列有您的流调结果被导出为文件",
    "A service desk checked your ID card and bound your identity to an account": "服务窗口核验了您的身份证，并将您的身份绑定到账号",
    "Your identity was moved to the account whose phone the population registry holds": "您的身份已转到人口库登记手机号对应的账号",
    "A health-code push after a trace changed your health code": "流调后的健康码推送更改了您的健康码",
    "Your tracing control was lifted": "您的流调管控已解除",
    "You were checked in by help-scan": "有人为您帮扫登记",
    "A paper health code was issued for you": "为您签发了纸质健康码",
    "Your paper health code was revoked": "您的纸质健康码已作废",
    "Your ID card was read for a help-scan": "帮扫时读取了您的身份证信息",
    "A file of rejected import records that includes you was downloaded": "包含您信息的数据导入退回记录被下载",
    "Citizen": "市民",
    "Venue manager": "场所管理员",
    "District administrator": "区级管理员",
    "Tracer": "流调人员",
    "Tracing supervisor": "流调组长",
    "System administrator": "系统管理员",
    "Operator (command line)": "运维人员（命令行）",
    "The system": "系统",
    "Data source": "数据来源部门",
    "Staff": "工作人员",
    # Tracing pages (流调溯源)
    "Contact tracing": "流调溯源",
    "Case": "病例",
    "Close contact": "密接",
    "Secondary contact": "次密接",
    "Tertiary contact": "三级密接",
    "General contact": "一般接触",
    "Waiting for approval": "待审批",
    "Applied": "已推送",
    "Push failed": "推送失败",
    "Association chain graph": "关联链路图",
    "Trace": "流调",
    "From": "起",
    "To": "止",
    "Filter": "筛选",
    "Export PNG": "导出 PNG",
    "Export SVG": "导出 SVG",
    "Group (count)": "聚合（人数）",
    "Click a node to see its evidence.": "点击节点查看其暴露证据。",
    "Chain": "传播链",
    "Cases": "病例",
    "persons": "人",
    "min": "分钟",
    "Source": "传播来源",
    "Exposure (min)": "暴露时长（分钟）",
    "Evidence": "暴露证据",
    "Exposure window": "暴露窗口",
    "Case exposures here": "病例在此场所的暴露时段",
    "Group": "聚合节点",
    "First persons": "部分人员",
    "Open these persons in the list": "在列表中查看这些人员",
    "Other venues": "其他场所",
    "Large trace: contacts are grouped per venue and tier; narrow the filter to see persons.":
        "流调规模较大：人员已按场所和类别聚合，缩小筛选范围可查看具体人员。",
    "venues folded into one node": "个场所合并显示",
    "nodes": "个节点",
    "links": "条关联",
    "Loading…": "加载中…",
    "Nothing matches the filter.": "没有符合筛选条件的结果。",
    "New trace": "新建流调",
    "Health-code pushes waiting for approval": "待审批的健康码推送",
    "Requested": "申请时间",
    "Recent traces": "最近的流调",
    "Run at": "执行时间",
    "Persons at risk": "风险人员",
    "Exposed venues": "涉疫场所",
    "No traces yet.": "暂无流调记录。",
    "Case registry": "病例库",
    "Search": "搜索",
    "Onset or first positive sample": "发病或首次阳性采样时间",
    "Isolated": "隔离时间",
    "Kind": "类型",
    "No cases in the registry.": "病例库中暂无病例。",
    "Trace the selected cases": "对所选病例开展流调",
    "Cases (ID numbers, one per line; several cases trace an outbreak)": "病例（身份证号码，每行一个；多个病例即按疫情聚集开展流调）",
    "As of (empty: now)": "截止时间（留空为当前时间）",
    "Look-back (days before onset)": "回溯天数（发病前）",
    "Close contact threshold (minutes)": "密接判定时长（分钟）",
    "Chain depth (2 = secondary contacts)": "追踪层级（2 = 追到次密接）",
    "stays overridden (minutes): %(s)s": "停留时长按类别调整（分钟）：%(s)s",
    "Stay per venue category in minutes, e.g. metro=10, office=240 (empty: the category table)":
        "按场所类别设置停留时长（分钟），如 metro=10, office=240（留空：使用类别默认值）",
    "Reason (required, kept in the audit log)": "流调事由（必填，记入审计日志）",
    "Run the trace": "开始流调",
    "Back to tracing": "返回流调溯源",
    "As of": "截止时间",
    "Rules": "规则",
    "look-back %(d)s days, close contact from %(m)s minutes, depth %(n)s":
        "回溯 %(d)s 天，同场所共处 %(m)s 分钟及以上判定为密接，追踪 %(n)s 层",
    "Export CSV": "导出 CSV",
    "Export XLSX": "导出 XLSX",
    "All persons at risk": "全部风险人员",
    "Tier": "类别",
    "All": "全部",
    "Search ID number": "搜索身份证号码",
    "%(n)s matching, page %(p)s of %(pages)s": "共 %(n)s 人，第 %(p)s / %(pages)s 页",
    "Phone": "电话",
    "Show phone": "显示电话",
    "Nobody matches.": "没有符合条件的人员。",
    "Previous": "上一页",
    "Next": "下一页",
    "Each phone number shown is recorded in the audit log with this trace.": "每次显示电话号码都会连同本次流调记入审计日志。",
    "Minutes": "分钟",
    "%(n)s more venues: see the export.": "另有 %(n)s 个场所，请查看导出文件。",
    "Health-code push": "健康码推送",
    "Close, secondary and deeper contacts get a red code, general contacts a yellow code, and every scan is denied with instructions. A second supervisor must approve.":
        "密接、次密接及更深层级人员赋红码，一般接触人员赋黄码，其扫码进入任何场所都将被拒绝并收到处置提示。须由另一位流调组长审批。",
    "requested": "申请于",
    "red %(r)s, yellow %(y)s": "红码 %(r)s 人，黄码 %(y)s 人",
    "You requested this push or ran this trace: another supervisor must approve or reject it.":
        "您是该推送的申请人或本次流调的执行人：须由另一位流调组长审批或驳回（双人复核）。",
    "Approve and push": "批准并推送",
    "Note": "备注",
    "Request health-code push": "申请推送健康码",
    # Rejecting a push and lifting control (驳回推送、解除管控)
    "Rejected": "已驳回",
    "decided": "处理于",
    "Another supervisor decides (four eyes).": "须由另一位流调组长处理（双人复核）。",
    "Open a trace to approve its push; a push can also be rejected here with a reason.":
        "打开流调记录后可批准推送；也可在此填写原因直接驳回。",
    "Control": "管控状态",
    "Under control": "管控中",
    "Lifted": "已解除",
    "Lift control": "解除管控",
    "Reason for lifting": "解除原因",
    "After quarantine and tests: scans are no longer denied for this trace, and a code this trace turned red or yellow goes back to green unless another department has changed it since.":
        "人员完成隔离和核酸检测后解除管控：扫码不再因本次流调被拒绝；由本次流调赋的红码、黄码恢复为绿码（如其他部门此后已调整过健康码，则保持不变）。",
    "Lift the tracing marks of every person of this trace?": "确定解除本次流调全部人员的管控吗？",
    "Lift control of all persons of this trace": "解除本次流调全部人员管控",
    "No open tracing mark of this trace was found: nothing was changed.":
        "未找到本次流调尚在管控中的人员，未作任何更改。",
    "Control lifted for %(n)s persons.": "已解除 %(n)s 人的管控。",
    "The health-code platform updates their codes.": "其健康码由健康码平台更新。",
    "%(n)s health codes set by tracing are green again.": "%(n)s 人由流调赋的健康码已恢复为绿码。",
    "%(n)s of them are still marked by another trace, so their codes stay as they are.":
        "其中 %(n)s 人仍被其他流调管控，健康码保持不变。",
    # Import batch statuses (导入批次状态)
    "Running": "导入中",
    "Finished": "已完成",
    "Failed": "失败",
    "Interrupted": "已中断（请重新导入该文件）",
    # Health-code push scope and call lists (issue 13)
    'Approved once: waiting for a second supervisor':
        '已初审：等待第二位流调组长批准',
    'Withdrawn':
        '已撤回',
    'red code':
        '红码',
    'yellow code':
        '黄码',
    '%(n)s persons':
        '%(n)s 人',
    'Choose who is pushed: chain tiers get a red code, general contacts a yellow code, and every scan of theirs is denied with instructions. Another supervisor must approve; a push to more than %(n)s persons needs two different supervisors.':
        '请选择推送范围：密接、次密接及更深层级人员赋红码，一般接触人员赋黄码，其扫码进入任何场所都将被拒绝并收到处置提示。须由另一位流调组长审批；超过 %(n)s 人的推送须由两位不同的流调组长批准。',
    '%(n)s excluded':
        '排除 %(n)s 人',
    '%(n)s added':
        '追加 %(n)s 人',
    'Sample of the persons to push (%(n)s)':
        '拟推送人员抽样（%(n)s 人）',
    'Rules of the trace':
        '本次流调规则',
    'added by the tracer':
        '流调员追加',
    'You approved this push once: a second, different supervisor must approve it.':
        '您已初审该推送：须由另一位流调组长再次批准。',
    'Push health codes to %(n)s persons now? Their scans will be denied until the marks are lifted.':
        '现在为 %(n)s 人推送健康码？在解除管控前，他们扫码进入场所都将被拒绝。',
    'Approve (first of two)':
        '初审通过（两人审批之一）',
    "Withdraw this push request? Nobody's code changes.":
        '撤回该推送申请？不会改变任何人的健康码。',
    'Withdraw request':
        '撤回申请',
    'Request a health-code push of the tiers ticked? A supervisor will see the same counts.':
        '按所勾选的类别申请健康码推送？流调组长审批时将看到相同的人数。',
    'Tiers to push':
        '推送类别',
    'Persons to exclude':
        '排除人员',
    'one ID number per line':
        '每行一个身份证号',
    'Persons to add':
        '追加人员',
    'one per line: ID number,tier (close, secondary, tertiary or general)':
        '每行一人：身份证号,类别（密接、次密接、三级密接 或 一般接触）',
    'Persons confirmed':
        '确认人数',
    "A trace result that lists your name and phone number was exported to a file":
        "列有您姓名和电话号码的流调结果被导出为文件",
    'District of residence':
        '居住区县',
    'Sort by':
        '排序',
    'Exposure, longest first':
        '暴露时长（长的在前）',
    'First contact, earliest first':
        '首次接触（早的在前）',
    'First shared venue':
        '首次共同场所',
    '%(n)s shared stays':
        '共 %(n)s 次时空交集',
    'Inferred from the ID number: the population registry has no district for this person':
        '按身份证号推断：人口库中没有此人的居住区县',
    'inferred':
        '推断',
    'Pages':
        '分页',
    'Go to page':
        '跳至第',
    'Go':
        '页',
    'Export XLSX (one sheet per district)':
        '导出 XLSX（每区县一页）',
    'Export the call lists with full phone numbers? Each person in them sees the export in their access log.':
        '导出含完整电话号码的流调名单？名单中的每个人都会在其访问记录中看到此次导出。',
    'Call lists with phone numbers':
        '含电话的流调名单',
    'Contacts CSV (Go.Data/SORMAS)':
        '接触者 CSV（Go.Data/SORMAS 格式）',
    # Chain graph overview and layouts (issue 13)
    'Layout':
        '布局',
    'By chain':
        '按传播链分层',
    'Along time':
        '按时间轴',
    'Overview of chains':
        '传播链总览',
    'Zoom in':
        '放大',
    'Zoom out':
        '缩小',
    'Fit':
        '适应窗口',
    'Venues':
        '场所',
    'Open this chain':
        '查看此传播链',
    "Click a node to see its evidence; click a chain's box, then 'Open this chain' (or double-click the box), to see its cases, venues and contacts.":
        '点击节点查看其时空交集证据；点击传播链方框后选“查看此传播链”（或双击方框），查看该链的病例、场所和接触者。',
    # Gate devices (闸机设备): their page, the gate's key form, the access log
    "Gate devices": "闸机设备",
    "Each gate device at this venue checks people in with a key of its own. Records it queued while offline are taken for at most %(h)s hours back, and never from before it was registered. Every record appears in the person's access log under the device's name.":
        "本场所的每台闸机设备使用自己的密钥为入场人员登记。设备离线时暂存的记录只能补传 %(h)s 小时以内、且不早于设备登记时间的部分。每条记录都会连同设备名称出现在本人的“谁使用了我的数据”记录中。",
    "Gate device “%(label)s” is registered.": "闸机设备“%(label)s”已登记。",
    "This is its key. It is shown only now: open the gate scanner page on the device and enter it there once.":
        "这是该设备的密钥，仅显示这一次：请在该设备上打开数字哨兵页面，输入一次即可。",
    "Gate device “%(label)s” was revoked: its key no longer works.": "闸机设备“%(label)s”已吊销，其密钥已失效。",
    "Device name": "设备名称",
    "Key begins with": "密钥开头",
    "Registered": "登记时间",
    "Last used": "最近使用",
    "Never": "从未使用",
    "Revoked": "已吊销",
    "In use": "使用中",
    "Revoke gate device “%(label)s”? Its key stops working at once; records still queued on it can no longer be uploaded.":
        "确定吊销闸机设备“%(label)s”吗？其密钥将立即失效，设备上尚未上传的离线记录将无法再上传。",
    "No gate device is registered yet.": "尚未登记闸机设备。",
    "Register a gate device": "登记闸机设备",
    "e.g. East gate 1": "例如：东门1号",
    "Register and show its key": "登记并显示密钥",
    "At most %(n)s devices in use per venue.": "每个场所最多同时使用 %(n)s 台闸机设备。",
    "Back to the venue": "返回场所",
    "This device needs its gate device key: the venue's manager registers the device under Gate devices and gets the key once. It is kept on this device only.":
        "本设备需要闸机设备密钥：由场所负责人在“闸机设备”中登记本设备并领取密钥（密钥只显示一次）。密钥只保存在本设备上。",
    "Gate device key": "闸机设备密钥",
    "Use this key on this device": "在本设备上使用此密钥",
    "This device's key begins with": "本设备密钥开头为",
    "Change the key": "更换密钥",
    "A gate device key begins with vcg_. Copy it exactly as the gate devices page showed it.":
        "闸机设备密钥以 vcg_ 开头，请按“闸机设备”页面显示的内容原样输入。",
    "Uploaded records queued offline: %(stored)s stored, %(duplicates)s already stored, %(rejected)s not stored.":
        "离线记录已补传：保存 %(stored)s 条，已存在 %(duplicates)s 条，未保存 %(rejected)s 条。",
    "Remove this device's key? Scans stop until a key is entered again.":
        "确定移除本设备的密钥吗？重新输入密钥之前无法扫码登记。",
    "The gate device “%(device)s” of venue “%(venue)s” scanned you at its gate":
        "场所“%(venue)s”的闸机“%(device)s”为您扫码核验了入场",
    "The gate device “%(device)s” of venue “%(venue)s” uploaded your check-in record":
        "场所“%(venue)s”的闸机“%(device)s”上传了您的入场记录",
    "Venue gate device": "场所闸机",
    "Revoke this device's key": "吊销该设备密钥",
    # Operator console (运维控制台): console/, templates/console/
    "Operator console": "运维控制台",
    "Accounts": "账号管理",
    "API documentation": "API 接口文档",
    "The interfaces for apps, gate devices and data sources (OpenAPI).": "供手机应用、数字哨兵设备和数据源系统调用的接口（OpenAPI）。",
    "Create staff accounts, deactivate them, reset passwords, sign out everywhere.": "创建工作人员账号，停用账号，重置密码，在所有设备上退出登录。",
    "Data-source API keys": "数据源 API 密钥",
    "Keys other departments' systems push data with: create, see last use, revoke.": "其他部门系统推送数据所用的密钥：创建、查看最近使用时间、吊销。",
    "Audit log": "审计日志",
    "Who saw or changed what, and why; search by person, actor, action and time.": "谁在何时查看或更改了什么、原因是什么；可按人员、操作人、操作和时间查询。",
    "Upload a data file from another department.": "上传其他部门提供的数据文件。",
    "Imports and pushes, with their counts and rejected rows.": "文件导入和接口推送的批次，含条数和退回记录。",
    "Settings in force": "当前生效的配置",
    "This server's configuration, read-only, secrets hidden.": "本服务器的配置，只读，密钥已隐藏。",
    "You manage the venue managers of your district:": "您管理本区县的场所负责人账号：",
    "All staff": "全部工作人员",
    "All districts": "全部区县",
    "Create an account": "创建账号",
    "%(n)s accounts": "共 %(n)s 个账号",
    "Created": "创建时间",
    "Actions": "操作",
    "Active": "正常",
    "Deactivated": "已停用",
    "Deactivate": "停用账号",
    "Reactivate": "重新启用",
    "Sign out everywhere": "在所有设备上退出",
    "Reset password": "重置密码",
    "This is you": "这是您本人的账号",
    "No accounts match.": "没有符合条件的账号。",
    "Previous page": "上一页",
    "Next page": "下一页",
    "Page %(n)s of %(total)s": "第 %(n)s 页，共 %(total)s 页",
    "Page %(n)s": "第 %(n)s 页",
    "Page": "页码",
    "Deactivate %(phone)s? The account is signed out on every device and cannot sign in until it is reactivated.":
        "确定停用 %(phone)s 吗？该账号将在所有设备上退出登录，重新启用之前无法登录。",
    "Sign %(phone)s out on every device? They sign in again with an SMS code.":
        "确定让 %(phone)s 在所有设备上退出登录吗？之后需用短信验证码重新登录。",
    "Role": "角色",
    "No district": "不指定区县",
    "District admins need a district.": "区县管理员必须指定所辖区县。",
    "Tracers, supervisors and admins sign in with an SMS code and this password: at least 10 characters, hard to guess (several unrelated words work well). Venue managers need none.":
        "流调人员、流调组长和管理员登录时需短信验证码加此密码：至少10个字符，且不易被猜到（几个不相关的词组合即可）。场所负责人无需密码。",
    "Create the account": "创建账号",
    "Back to the accounts": "返回账号列表",
    "A temporary password was set and the account signed out on every device.": "已设置临时密码，该账号已在所有设备上退出登录。",
    "Give this password to the account's holder now. It is shown only this once.": "请现在把这个密码交给账号本人。它只显示这一次。",
    "Done, back to the accounts": "已记下，返回账号列表",
    "Reset the password of %(phone)s? The old password stops working and the account is signed out on every device.":
        "确定重置 %(phone)s 的密码吗？原密码将失效，该账号将在所有设备上退出登录。",
    "New password": "新密码",
    "Leave it empty to get a temporary password, shown once.": "留空则生成一个临时密码，只显示一次。",
    "The account was created.": "账号已创建。",
    "The account was deactivated and signed out on every device.": "账号已停用，并已在所有设备上退出登录。",
    "The account was reactivated. It signs in afresh.": "账号已重新启用，需重新登录。",
    "The account was signed out on every device.": "该账号已在所有设备上退出登录。",
    "The new password was set and the account signed out on every device.": "新密码已设置，该账号已在所有设备上退出登录。",
    "The API key was revoked. Pushes with it are refused from now on.": "密钥已吊销，此后用它推送的数据将被拒绝。",
    "The key for %(name)s was created.": "已为 %(name)s 创建密钥。",
    "Copy the key now and give it to the source's operators. It is shown only this once; afterwards only its beginning is known.":
        "请现在复制密钥并交给数据源系统的运维人员。密钥只显示这一次，之后只能看到它的开头几位。",
    "Source name": "数据源名称",
    "Key begins": "密钥开头",
    "Data kinds": "数据类型",
    "Revoke the key of %(name)s? Its pushes are refused from then on; this cannot be undone.":
        "确定吊销 %(name)s 的密钥吗？此后用它推送的数据将被拒绝，且无法撤销。",
    "No keys yet.": "暂无密钥。",
    "Create a key": "创建密钥",
    "Create the key": "创建密钥",
    "Population registry": "人口库",
    "Check-ins": "扫码记录",
    "Health codes": "健康码",
    "Nucleic acid tests": "核酸检测",
    "Vaccinations": "疫苗接种",
    "Itineraries": "行程",
    "Risk areas": "风险地区",
    "Citizen cards": "市民卡",
    "Every look at this log is itself recorded. A search by ID number appears in that person's own access log.":
        "每次查看本日志都会被记录。按身份证号码查询会出现在该人员本人的数据使用记录中。",
    "Actor": "操作人",
    "mobile number or account #12": "手机号或账号编号 #12",
    "Action": "操作",
    "All actions": "全部操作",
    "Export these events (CSV)": "导出这些记录（CSV）",
    "Who": "谁",
    "What": "什么",
    "Why": "原因",
    "No events match.": "没有符合条件的记录。",
    "Action code": "操作代码",
    "Subject": "对象",
    "Persons": "人数",
    "IP address": "IP 地址",
    "Read-only. Secrets, keys, passwords and the credentials in addresses are hidden. Settings are changed in the server's environment and take effect after a restart.":
        "只读。密钥、口令和地址中的用户名密码均已隐藏。配置在服务器环境变量中修改，重启后生效。",
    "Variable": "变量",
    "Value": "值",
    "not set": "未设置",
    "hidden": "已隐藏",
    "An operator searched the audit log for the records about you": "运维人员按您的身份证号码查询了审计日志",
    "An operator exported the audit log's records about you to a file": "运维人员把审计日志中关于您的记录导出为文件",
    # Audit actions in words for operators (audit/words.py OPERATOR_WORDS)
    "Applied for a venue code": "申请场所码",
    "Approved a venue code": "批准场所码",
    "Rejected a venue application": "驳回场所码申请",
    "Revoked a venue code": "吊销场所码",
    "Re-issued a venue code": "重新生成场所码",
    "Viewed a venue's entries": "查看场所进出记录",
    "Created an account": "创建账号",
    "Signed in": "登录",
    "Signed out": "退出登录",
    "Signed an account out everywhere": "让账号在所有设备上退出登录",
    "Deactivated an account": "停用账号",
    "Reactivated an account": "重新启用账号",
    "Set an account's password": "设置账号密码",
    "Entered a wrong password": "输入了错误的密码",
    "Account locked after wrong passwords": "密码错误次数过多，账号被暂时锁定",
    "Bound an identity to an account": "账号绑定实名身份",
    "Bound an identity at a service desk": "服务窗口现场核验并绑定实名身份",
    "Released an identity from an account": "从账号解除实名身份",
    "Identity check refused": "身份核验未通过",
    "Looked up a person's health status": "查询人员健康状态",
    "Viewed a person's check-ins": "查看人员扫码记录",
    "Checked in": "扫码登记",
    "Checked a person in by help-scan": "帮扫登记",
    "Imported a data file": "导入数据文件",
    "Pushed data records": "接口推送数据",
    "Data push refused": "数据推送被拒绝",
    "Downloaded an import's rejected records": "下载导入退回记录",
    "Created a data-source API key": "创建数据源 API 密钥",
    "Revoked a data-source API key": "吊销数据源 API 密钥",
    "Ran a contact trace": "开展流调",
    "Viewed the list of cases and traces": "查看病例和流调列表",
    "Viewed a trace result": "查看流调结果",
    "Viewed a trace's chain graph": "查看传播链路图",
    "Exported a trace result": "导出流调结果",
    "Displayed a person's name and phone": "显示人员姓名和电话",
    "Requested a health-code push": "申请健康码推送",
    "Approved a health-code push": "批准健康码推送",
    "Rejected a health-code push": "驳回健康码推送",
    "Lifted a tracing control": "解除流调管控",
    "Issued a paper health code": "签发纸质健康码",
    "Revoked a paper health code": "作废纸质健康码",
    "Paper health code change refused": "纸质健康码变更被拒绝",
    "Read an ID card for a help-scan": "帮扫时读取身份证",
    "Help-scan alert raised": "产生帮扫异常提醒",
    "Viewed help-scan alerts": "查看帮扫异常提醒",
    "Purged data past its retention period": "清除超过保存期限的数据",
    "Viewed the audit log": "查看审计日志",
    "Exported the audit log": "导出审计日志",
    "Person": "人员",
    "API key": "API 密钥",
    "Data push": "数据推送",
    "Import batch": "导入批次",
    "Help-scan alert": "帮扫异常提醒",
    "Retention": "数据保存期限",
    "Record": "记录",
    "Command line": "命令行",
    "Anonymous": "匿名",
    "Account #%(n)s": "账号 #%(n)s",
    "API key #%(n)s": "API 密钥 #%(n)s",
    # Venue applications, entries of a day, district volumes (issue 12)
    "A new code was issued. Print the new poster; the old one no longer works.":
        "已换发新的场所码，请打印新海报；旧海报已失效。",
    "Applicant": "申请人",
    "Application approved": "申请已通过",
    "Application approved: the venue code works now.": "申请已通过，场所码现已生效。",
    "Application corrected and sent again. The district will review it.":
        "申请已修改并重新提交，等待区县审核。",
    "Application history": "申请记录",
    "Application rejected": "申请被驳回",
    "Application rejected. The applicant sees your reason.": "已驳回申请，申请人将看到驳回原因。",
    "Application submitted": "提交申请",
    "Application submitted. The district will review it.": "申请已提交，等待区县审核。",
    "Applied at": "申请时间",
    "Channel": "方式",
    "Choose the district": "请选择所属区县",
    "Code revoked": "场所码被停用",
    "Correct and resubmit the application": "修改并重新提交申请",
    "Corrected and resubmitted": "修改后重新提交",
    "Date": "日期",
    "Entries of %(day)s": "%(day)s 进场记录",
    "Entries per hour as a table": "每小时入场人次（表格）",
    "Export Excel (XLSX)": "导出 Excel（XLSX）",
    "Hour (local time)": "时段（本地时间）",
    "Hover or tap a bar for its count.": "将鼠标移到或点按柱子可查看人次。",
    "Names and ID numbers are masked. The latest 500 of the day are shown; the export holds them all.":
        "姓名和身份证号码已脱敏。此处显示当日最近 500 条，导出文件包含当日全部记录。",
    "Next day": "后一天",
    "No entries on this day.": "当日没有进出记录。",
    "No reason was recorded.": "未记录原因。",
    "Previous day": "前一天",
    "Reason for revoking the code": "停用原因",
    "Reject this application? The applicant sees your reason and may correct and resubmit it.":
        "确定驳回该申请吗？申请人将看到驳回原因，并可修改后重新提交。",
    "Resubmit the application": "重新提交申请",
    "Revoke this venue code? Every poster of the venue stops working at once; the manager sees your reason.":
        "确定停用该场所码吗？该场所的所有海报将立即失效，场所负责人将看到停用原因。",
    "Show": "查看",
    "Sub-area": "区域",
    "The file holds every entry of the day, masked as here; each person in it sees the export in their access log.":
        "导出文件包含当日全部进出记录，脱敏方式与本页相同；文件中的每个人都能在“谁使用了我的数据”中看到此次导出。",
    "Today": "今日",
    "Venue ID": "场所编号",
    "Entry records": "进场记录",
    "Venue code revoked. The manager sees your reason.": "场所码已停用，场所负责人将看到停用原因。",
    "A list of a venue's entries that includes you was exported to a file":
        "列有您的场所进出记录被场所导出为文件",
    # Operator words of the actions added in issue 11-13 merges
    'Exported a trace result with full phone numbers': '导出了含完整电话号码的流调结果',
    'Gave the first of two approvals of a health-code push': '对健康码推送作出了第一次批准（两人审批）',
    'Withdrew a health-code push request': '撤回了健康码推送申请',
    'Issued a gate device key': '签发了闸机设备密钥',
    'Revoked a gate device key': '吊销了闸机设备密钥',
    'A gate device scanned a person': '闸机为人员扫码核验',
    'A gate device uploaded offline check-ins': '闸机上传了离线入场记录',
    "A gate device's upload was refused": '闸机上传被拒绝',
    'Resubmitted a corrected venue application': '重新提交了修改后的场所申请',
    "Exported a venue's entries": '导出了场所进出记录',
    # From the catalogue of a merged branch
    'Sign out on every device, this one too? Every phone and computer signed in to this account will have to sign in again.': '要在所有设备上退出登录（包括本机）吗？所有登录了此账号的手机和电脑都需要重新登录。',
    'You are signed out on every device. Sign in again to continue.': '已在所有设备上退出登录。如需继续使用，请重新登录。',
    # From the catalogue of a merged branch
    'This trace is past its retention period: its persons and their venue-and-time evidence were removed on %(at)s. Only the counts remain: %(cases)s cases, %(contacts)s persons at risk, %(venues)s venues, %(evidence)s pieces of evidence.': '该流调结果已超过保留期限，人员及其场所时空证据已于 %(at)s 删除，仅保留统计数字：病例 %(cases)s 名、风险人员 %(contacts)s 名、场所 %(venues)s 个、时空证据 %(evidence)s 条。',
    # Feedback: flash messages, confirmations, busy states; help-scan clover (feedback branch)
    "%(name)s is checked in.":
        "%(name)s 已登记。",
    "A new code was sent.":
        "新的验证码已发送。",
    "A new venue code is issued; print the new poster.":
        "已换发新的场所码，请打印新的海报。",
    "Application sent. A district administrator will review it.":
        "申请已提交，等待区管理员审核。",
    "Approve and push? The health codes of the persons at risk in this trace change now, and each of them sees it in their access log.":
        "确定批准并推送吗？本次流调中风险人员的健康码将立即变更，每个人都能在自己的数据使用记录中看到。",
    "Cancel":
        "取消",
    "Checking…":
        "正在核验…",
    "Choose how to identify the person you are helping.":
        "请选择一种方式识别您要帮助的人。",
    "Citizen card: enter the number":
        "市民卡输入卡号",
    "Exporting…":
        "正在导出…",
    "Health code by proxy":
        "健康码代办",
    "Health code: scan the health code":
        "健康码扫描健康码",
    "Help-scan finished: %(n)s people.":
        "帮扫完成，共 %(n)s 人。",
    "Helped people's details are not kept on your account; after Done this list cannot be opened again.":
        "被帮扫人的信息不会保存在您的账号中；点击“完成”后，此列表无法再次打开。",
    "ID card OCR":
        "身份证OCR识别",
    "Importing…":
        "正在导入…",
    "Lift control of this person? Their scans are no longer denied for this trace.":
        "确定解除此人的管控吗？此后其扫码不再因本次流调被拒绝。",
    "Lifting…":
        "正在解除…",
    "Making the card…":
        "正在生成卡片…",
    "No health code? Apply for a printable paper code for this person":
        "没有健康码？为此人申领可打印的纸质健康码",
    "Photograph the ID card":
        "拍摄身份证",
    "Photograph the paper health code":
        "拍摄纸质健康码",
    "Pushing…":
        "正在推送…",
    "Reading takes a few seconds; you check the result before anyone is checked in.":
        "识别需要几秒钟；登记前您会先核对识别结果。",
    "Reading the ID card…":
        "正在识别…",
    "Reading the health code…":
        "正在识别健康码…",
    "Reissue":
        "补办",
    "Reissue the card? The old printed card stops working at once.":
        "确定补办吗？原来打印的卡将立即失效。",
    "Request":
        "申请",
    "Request a health-code push? Once another supervisor approves it, the health codes of the persons at risk in this trace change.":
        "确定申请健康码推送吗？另一位主管批准后，本次流调中风险人员的健康码将变更。",
    "Revoke this paper code? The printed card stops working at once; reissue to print a new one.":
        "确定作废这张纸质健康码吗？打印的卡将立即失效；补办可打印新卡。",
    "Revoke this venue? Its code stops checking anyone in at once, and its manager sees the reason.":
        "确定撤销该场所吗？其场所码将立即停止登记，场所管理员会看到撤销原因。",
    "The application is rejected; the applicant sees the reason.":
        "申请已驳回，申请人会看到驳回原因。",
    "The health-code push is requested; a supervisor must approve it.":
        "健康码推送已申请，需由主管批准。",
    "The push is approved: the health codes are changed.":
        "推送已批准，健康码已变更。",
    "The push is rejected; no health code was changed.":
        "推送已驳回，健康码未作变更。",
    "The trace is done.":
        "流调已完成。",
    "The tracing marks are lifted.":
        "流调管控已解除。",
    "The venue is approved; its code works now.":
        "场所已通过审核，场所码现已生效。",
    "The venue is revoked; its code no longer checks anyone in.":
        "场所已撤销，其场所码不再登记任何人。",
    "Tracing…":
        "正在流调…",
    "Type the card number":
        "输入卡号",
    "Type the name and ID number":
        "输入姓名和身份证号",
    "You are signed in.":
        "已登录。",
    "You are signed out.":
        "已退出登录。",
    "Your real name is verified.":
        "实名认证成功。",
    # Citizen pages: history, access log, identity, sign-in code (feedback branch)
    "%(n)s entries in all":
        "共 %(n)s 条记录",
    "A code was sent to this number less than a minute ago and still works. You can ask for a new one in %(n)s seconds.":
        "一分钟内已向该号码发送过验证码，仍可使用。%(n)s 秒后可重新获取。",
    "Entered":
        "已进入",
    "Left at %(time)s":
        "%(time)s 离开",
    "New code in %(n)s s":
        "%(n)s 秒后可重新发送",
    "No entries yet.":
        "还没有扫码记录。",
    "No exit recorded":
        "未登记离开",
    "Nobody has used your data.":
        "还没有人使用过您的数据。",
    "Not let in":
        "未能进入",
    "Reason:":
        "原因：",
    "Send a new code":
        "重新发送验证码",
    "To change it, bring your ID card to a community service desk.":
        "如需更改，请携带身份证到社区服务窗口办理。",
    "Use another number":
        "换一个手机号",
    "Verify your real name to scan venue codes; your entries will be listed here.":
        "完成实名认证后即可扫场所码，扫码记录将显示在这里。",
    "Why:":
        "原因：",
    "Confirmed or asymptomatic case":
        "确诊病例或无症状感染者",
    "Positive test":
        "核酸阳性",
    "Red health code":
        "红码",
    "Contact of a close contact":
        "密接的密接",
    "Was in a high-risk area":
        "到过高风险地区",
    "Yellow health code":
        "黄码",
    "Met a contact of a close contact":
        "与密接的密接有接触",
    "Was in a medium-risk area":
        "到过中风险地区",
    "No health code found":
        "未查到健康码",
    "Test result not out yet":
        "核酸结果未出",
    "Test too old for this venue":
        "核酸超过本场所时限",
    "No negative test found":
        "未查到阴性核酸",
    "Not enough vaccine doses":
        "疫苗接种剂次不足",
    "Test expires soon":
        "核酸即将超时",
    "A test record with a time in the future":
        "核酸记录时间有误",
    "Other reason":
        "其他原因",
    "Checked in by help-scan":
        "他人帮扫登记",
    "Checked in at the venue's gate":
        "场所哨兵登记",
    "The health code this trace had set is green again.":
        "由这次流调赋予的健康码已恢复为绿码。",
}


def main() -> None:
    catalog = Catalog(locale="zh", project="venuecode")
    for msgid, text in ZH.items():
        catalog.add(msgid, text)
    path = Path(str(resources.files("venuecode.web"))) / "locale/zh/LC_MESSAGES/messages.po"
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as fh:
        write_po(fh, catalog, width=100, omit_header=False)


if __name__ == "__main__":
    main()
